using System.Diagnostics;

namespace Asyncio.Tests.Loop;

/// <summary><c>call_soon_threadsafe</c> (behaviour B127).</summary>
public class ThreadsafeTests
{
    // B127
    [Fact]
    public void CallSoonThreadsafe_FromTheLoopThread_KeepsItsPlaceAmongCallSoonCalls()
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<string>();
        loop.CallSoonThreadsafe(log.Add, "hello");
        loop.CallSoon(log.Add, "world");
        loop.CallSoonThreadsafe(log.Add, "again");
        loop.RunOnce();

        Assert.Equal(["hello", "world", "again"], log);
        loop.Close();
    }

    // B127: a real thread wakes a loop idle on the system clock; the bounds are generous (asyncio's test
    // allows a second), and a far timer stops the loop should the wake-up be lost, so the test cannot hang.
    [Fact]
    public void CallSoonThreadsafe_FromAnotherThread_WakesAnIdleLoop()
    {
        var loop = Aio.NewEventLoop();
        int? ranOn = null;
        loop.CallLater(20, loop.Stop);
        var stopwatch = Stopwatch.StartNew();
        var thread = new Thread(() =>
        {
            Thread.Sleep(50);
            loop.CallSoonThreadsafe(() =>
            {
                ranOn = Environment.CurrentManagedThreadId;
                loop.Stop();
            });
        });
        thread.Start();
        loop.RunForever();
        thread.Join();

        Assert.Equal(Environment.CurrentManagedThreadId, ranOn);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"woke after {stopwatch.Elapsed}");
        loop.Close();
    }
}
