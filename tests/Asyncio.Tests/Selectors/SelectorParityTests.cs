using System.Diagnostics;

namespace Asyncio.Tests.Selectors;

/// <summary>
/// The loop behaves the same whatever selector it waits in: a representative set of the loop's behaviours
/// (timers, sleeps, cross-thread calls, executor jobs, virtual time), run on each selector.
/// </summary>
public class SelectorParityTests
{
    public static TheoryData<string> Selectors() => SelectorLoops.Available();

    [Theory]
    [MemberData(nameof(Selectors))]
    public void Timers_FireInTheOrderOfTheirDeadlines_OnTheRealClock(string selector)
    {
        var loop = SelectorLoops.New(selector);
        var log = new List<int>();
        loop.CallLater(0.03, () => log.Add(3));
        loop.CallLater(0.01, () => log.Add(1));
        loop.CallLater(0.02, () => log.Add(2));
        loop.CallLater(0.04, loop.Stop);
        var stopwatch = Stopwatch.StartNew();
        loop.RunForever();
        loop.Close();

        Assert.Equal([1, 2, 3], log);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(39), $"stopped after {stopwatch.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void Sleep_WaitsItsDuration_AndNotMuchMore(string selector)
    {
        double slept = SelectorLoops.Run(SelectorLoops.New(selector), async () =>
        {
            var loop = Aio.GetRunningLoop();
            double start = loop.Time();
            await Aio.Sleep(0.05);
            return loop.Time() - start;
        });
        Assert.InRange(slept, 0.05, 5);
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void CallSoonThreadsafe_FromAnotherThread_WakesTheIdleLoop(string selector)
    {
        var loop = SelectorLoops.New(selector);
        loop.CallLater(20, loop.Stop);
        var stopwatch = Stopwatch.StartNew();
        var thread = new Thread(() =>
        {
            Thread.Sleep(30);
            loop.CallSoonThreadsafe(loop.Stop);
        });
        thread.Start();
        loop.RunForever();
        thread.Join();
        loop.Close();
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"woke after {stopwatch.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void ManyPostsFromManyThreads_AllRun_InOrderPerThread(string selector)
    {
        var loop = SelectorLoops.New(selector);
        var seen = new List<(int Thread, int N)>();
        const int Threads = 4, Posts = 500;
        int finished = 0;
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (int n = 0; n < Posts; n++)
            {
                int value = n;
                loop.CallSoonThreadsafe(() => seen.Add((t, value)));
            }
            loop.CallSoonThreadsafe(() =>
            {
                if (++finished == Threads) loop.Stop();
            });
        })).ToList();
        threads.ForEach(t => t.Start());
        loop.CallLater(20, loop.Stop);
        loop.RunForever();
        threads.ForEach(t => t.Join());
        loop.Close();

        Assert.Equal(Threads * Posts, seen.Count);
        for (int t = 0; t < Threads; t++)
        {
            Assert.Equal(Enumerable.Range(0, Posts), seen.Where(s => s.Thread == t).Select(s => s.N));
        }
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void ToThread_ResumesTheTaskOnTheLoop(string selector)
    {
        int result = SelectorLoops.Run(SelectorLoops.New(selector), async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            int worker = await Aio.ToThread(() => Environment.CurrentManagedThreadId);
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
            Assert.NotEqual(loopThread, worker);
            return 42;
        });
        Assert.Equal(42, result);
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void VirtualTime_AnHourOfSleep_TakesNoRealTime(string selector)
    {
        var stopwatch = Stopwatch.StartNew();
        double slept = SelectorLoops.Run(SelectorLoops.New(selector, virtualTime: true), async () =>
        {
            var loop = Aio.GetRunningLoop();
            double start = loop.Time();
            await Aio.Sleep(3600);
            return loop.Time() - start;
        });
        Assert.Equal(3600, slept, 3);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
    }
}
