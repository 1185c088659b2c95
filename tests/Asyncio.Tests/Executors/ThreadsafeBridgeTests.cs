// Cross-thread bridges hand back .NET tasks that the other thread waits on by blocking, as Python code does.
#pragma warning disable xUnit1031

namespace Asyncio.Tests.Executors;

/// <summary>
/// The bridges between the loop and other threads, used together with executors: run_coroutine_threadsafe from
/// a worker, wrap_future of an executor's task. (B039/B040 themselves are covered with the futures.)
/// </summary>
public class ThreadsafeBridgeTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    private static async Coroutine<int> Add(int a, int b)
    {
        await Aio.Sleep(0);
        return a + b;
    }

    [Fact]
    public void RunCoroutineThreadsafe_FromAToThreadWorker_RunsTheCoroutineOnTheLoop()
    {
        static async Coroutine<int> Main()
        {
            EventLoop loop = Aio.GetRunningLoop();
            return await Aio.ToThread(() => Aio.RunCoroutineThreadsafe(Add(1, 2), loop).GetAwaiter().GetResult());
        }

        Assert.Equal(3, TestLoop.RunVirtual(Main));
    }

    [Fact]
    public void WrapFuture_OfAnExecutorTask_CompletesOnTheLoopThread()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);

        async Coroutine<bool> Main()
        {
            int loopThread = Environment.CurrentManagedThreadId;
            int result = await Aio.WrapFuture(pool.Submit(() => 5));
            return result == 5 && Environment.CurrentManagedThreadId == loopThread;
        }

        Assert.True(TestLoop.RunVirtual(Main));
    }

    [Fact]
    public void RunCoroutineThreadsafe_TokenCancelledAfterTheLoopClosed_DoesNotThrow()
    {
        var loop = TestLoop.NewVirtual();
        loop.SetExceptionHandler((_, _) => { });
        var never = loop.CreateFuture<int>();
        using var cts = new CancellationTokenSource();

        async Coroutine<int> Forever() => await never;

        Task<int> bridged = Aio.RunCoroutineThreadsafe(Forever(), loop, cts.Token);
        loop.RunOnce();
        loop.RunOnce();
        loop.Close();
        cts.Cancel();
        Assert.True(bridged.IsCanceled); // by Close, which dropped the pending task
    }

    [Fact]
    public void RunCoroutineThreadsafe_FromAnotherThread_WhileTheLoopRunsForever()
    {
        var loop = Aio.NewEventLoop();
        var runner = new Thread(() => loop.RunForever());
        runner.Start();
        try
        {
            Assert.Equal(7, Aio.RunCoroutineThreadsafe(Add(3, 4), loop).Wait(Generous) ? 7 : 0);
        }
        finally
        {
            loop.CallSoonThreadsafe(loop.Stop);
            runner.Join(Generous);
            loop.Close();
        }
    }
}
