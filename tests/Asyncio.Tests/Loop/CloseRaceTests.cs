using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Asyncio.Tests.Loop;

/// <summary>
/// Work posted from other threads around <c>Stop</c> and <c>Close</c>: a post either runs, or throws because
/// the loop is closed, or is dropped by <c>Close</c>, which then tells whoever waits for it. Nothing outside
/// the loop waits forever.
/// </summary>
public class CloseRaceTests
{
    /// <summary>How long a test waits for work that must end; far above what it takes, so only a hang fails it.</summary>
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(20);

    private static async Coroutine<int> Echo(int value)
    {
        await Aio.Sleep(0);
        return value;
    }

    private static async Coroutine<int> Forever(Future<int> never) => await never;

    [Fact]
    public void CallbacksQueuedWhenStopIsCalled_RunOnTheNextRun()
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<string>();
        loop.CallSoon(() =>
        {
            loop.Stop();
            loop.CallSoon(log.Add, "next run");
        });
        loop.CallSoon(log.Add, "same iteration");
        loop.RunForever();
        Assert.Equal(["same iteration"], log);

        loop.RunOnce();
        Assert.Equal(["same iteration", "next run"], log);
        loop.Close();
    }

    [Fact]
    public void CallSoonThreadsafe_OnAStoppedLoop_RunsOnTheNextRun()
    {
        var loop = TestLoop.NewVirtual();
        loop.RunOnce();
        var ran = new ManualResetEventSlim();
        var poster = new Thread(() => loop.CallSoonThreadsafe(ran.Set));
        poster.Start();
        Assert.True(poster.Join(s_patience));

        loop.RunOnce();
        Assert.True(ran.IsSet);
        loop.Close();
    }

    [Fact]
    public void Close_OnARunningLoop_Throws()
    {
        var loop = TestLoop.NewVirtual();
        Exception? error = null;
        loop.CallSoon(() => error = Record.Exception(loop.Close));
        loop.RunOnce();

        Assert.IsType<InvalidOperationException>(error);
        Assert.False(loop.IsClosed);
        loop.Close();
    }

    [Fact]
    public void CallSoonThreadsafe_AfterClose_Throws()
    {
        var loop = TestLoop.NewVirtual();
        loop.Close();

        var error = Assert.Throws<InvalidOperationException>(() => loop.CallSoonThreadsafe(() => { }));
        Assert.Equal("Event loop is closed", error.Message);
    }

    [Fact]
    public void RunCoroutineThreadsafe_AfterClose_Throws()
    {
        var loop = TestLoop.NewVirtual();
        loop.Close();

        Assert.Throws<InvalidOperationException>(() => { _ = Aio.RunCoroutineThreadsafe(Echo(1), loop); });
    }

    [Fact]
    public void Close_MarksACrossThreadCallbackItDropsAsCancelled()
    {
        var loop = TestLoop.NewVirtual();
        bool ran = false;
        Handle handle = loop.CallSoonThreadsafe(() => ran = true);
        loop.Close();

        Assert.False(ran);
        Assert.True(handle.IsCancelled);
    }

    [Fact]
    public void Close_CancelsTheTaskOfARunCoroutineThreadsafeThatNeverStarted()
    {
        var loop = TestLoop.NewVirtual();
        Task<int> submitted = Aio.RunCoroutineThreadsafe(Echo(1), loop);
        loop.Close();

        Assert.True(submitted.IsCanceled);
    }

    [Fact]
    public void Close_CancelsTheTaskOfARunCoroutineThreadsafeStillPending()
    {
        var loop = TestLoop.NewVirtual();
        loop.SetExceptionHandler((_, _) => { });
        Task<int> submitted = Aio.RunCoroutineThreadsafe(Forever(loop.CreateFuture<int>()), loop);
        loop.RunOnce();
        loop.RunOnce();
        Assert.False(submitted.IsCompleted);
        loop.Close();

        Assert.True(submitted.IsCanceled);
    }

    [Fact]
    public async Task Close_GivesARunCoroutineThreadsafeThatFinishedItsResult()
    {
        var loop = TestLoop.NewVirtual();
        Task<int> submitted = Aio.RunCoroutineThreadsafe(Echo(42), loop);
        // Start the task, run it to its end, and close before the outcome is passed on.
        loop.RunOnce();
        loop.RunOnce();
        loop.RunOnce();
        loop.Close();

        Assert.True(submitted.IsCompletedSuccessfully);
        Assert.Equal(42, await submitted);
    }

    [Fact]
    public void Close_CancelsTheAsTaskOfATaskStillPending()
    {
        var loop = TestLoop.NewVirtual();
        loop.SetExceptionHandler((_, _) => { });
        AioTask<int> task = loop.CreateTask(Forever(loop.CreateFuture<int>()));
        Task<int> bridged = task.AsTask();
        loop.RunOnce();
        loop.Close();

        Assert.True(bridged.IsCanceled);
    }

    [Fact]
    public void SynchronizationContextSend_FromAnotherThread_EndsWhenTheLoopClosesWithoutRunningIt()
    {
        var loop = TestLoop.NewVirtual();
        SynchronizationContext? context = null;
        loop.CallSoon(() => context = SynchronizationContext.Current);
        loop.RunOnce();
        Exception? error = null;
        var sender = new Thread(() => error = Record.Exception(() => context!.Send(_ => { }, null)));
        sender.Start();
        Thread.Sleep(10);
        loop.Close();

        Assert.True(sender.Join(s_patience), "Send still waits after Close");
        Assert.NotNull(error);
    }

    [Fact]
    public void AsyncContinuationPostedAfterClose_RunsOnThePool_WithoutFailingTheCompletingThread()
    {
        var loop = TestLoop.NewVirtual();
        loop.SetExceptionHandler((_, _) => { });
        var source = new TaskCompletionSource<int>();
        Task<int>? plain = null;
        async Task<int> PlainAsync() => await source.Task + 1; // resumes through the loop's SynchronizationContext
        async Coroutine<int> Main() => await (plain = PlainAsync());
        loop.CreateTask(Main());
        loop.RunOnce();
        loop.Close();

        Exception? error = null;
        var completer = new Thread(() => error = Record.Exception(() => source.SetResult(1)));
        completer.Start();
        Assert.True(completer.Join(s_patience));
        Assert.Null(error);
        Assert.True(SpinWait.SpinUntil(() => plain!.IsCompleted, s_patience), "the async method's rest never ran");
        Assert.Equal(TaskStatus.RanToCompletion, plain!.Status);
    }

    // The race itself: posters keep posting while the loop runs, stops, runs again and closes. Every
    // CallSoonThreadsafe call ran, threw, or reports cancelled (dropped by Close); every RunCoroutineThreadsafe
    // task ends. Real threads, so generous bounds; each round takes a few milliseconds.
    [Fact]
    public void CrossThreadPosts_AroundStopAndClose_AreNeverLostSilently()
    {
        var stopwatch = Stopwatch.StartNew();
        for (int round = 0; round < 30; round++) RunRace(posters: 3);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(30), $"took {stopwatch.Elapsed}");
    }

    private static void RunRace(int posters)
    {
        var loop = Aio.NewEventLoop();
        loop.SetExceptionHandler((_, _) => { });
        var callbacks = new ConcurrentBag<(Handle Handle, StrongBox<bool> Ran)>();
        var submissions = new ConcurrentBag<Task<int>>();
        int refusals = 0;
        var started = new CountdownEvent(posters);
        var threads = new Thread[posters];
        for (int p = 0; p < posters; p++)
        {
            int seed = p;
            threads[p] = new Thread(() =>
            {
                started.Signal();
                for (int i = 0; ; i++)
                {
                    // Paced, so the loop keeps up and a round stays short; the posts still straddle every stop and the close.
                    if (i % 8 == 7) Thread.Yield();
                    try
                    {
                        if ((i + seed) % 2 == 0)
                        {
                            var ran = new StrongBox<bool>();
                            callbacks.Add((loop.CallSoonThreadsafe(static r => r.Value = true, ran), ran));
                        }
                        else
                        {
                            submissions.Add(Aio.RunCoroutineThreadsafe(Echo(i), loop));
                        }
                    }
                    catch (InvalidOperationException)
                    {
                        Interlocked.Increment(ref refusals);
                        return;
                    }
                }
            }) { IsBackground = true, Name = $"poster-{p}" };
            threads[p].Start();
        }
        Assert.True(started.Wait(s_patience));
        for (int run = 0; run < 3; run++)
        {
            loop.CallLater(0.001, loop.Stop);
            loop.RunForever();
            // Posts arriving while the loop is stopped wait for the next run, or, after the last one, for Close.
            Thread.Sleep(1);
        }
        loop.Close();

        foreach (Thread thread in threads) Assert.True(thread.Join(s_patience), $"{thread.Name} still posting");
        Assert.Equal(posters, refusals);
        foreach (var (handle, ran) in callbacks)
        {
            // Ran, or dropped by Close (which cancels the handle): never both, never neither.
            Assert.True(ran.Value ^ handle.IsCancelled, $"ran={ran.Value} cancelled={handle.IsCancelled}");
        }
        Task<int>[] all = [.. submissions];
        Assert.True(Task.WhenAll(all.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default))).Wait(s_patience),
            $"{all.Count(t => !t.IsCompleted)} of {all.Length} RunCoroutineThreadsafe tasks never ended");
        Assert.All(all, t => Assert.True(t.IsCompletedSuccessfully || t.IsCanceled, $"{t.Status}"));
    }
}
