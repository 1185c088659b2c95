namespace Asyncio.Tests.Futures;

/// <summary><c>Aio.EnsureFuture</c> and <c>Aio.WrapFuture</c> (behaviours B037–B039).</summary>
public sealed class EnsureFutureTests : IDisposable
{
    private readonly EventLoop _loop = TestLoop.NewVirtual();

    public void Dispose() => _loop.Close();

    // B037
    [Fact]
    public void EnsureFuture_ReturnsFuturesAndTasksThemselves()
    {
        var f = _loop.CreateFuture<int>();
        AioTask<int> t = _loop.CreateTask(Aio.Sleep(0, 1));

        Assert.Same(f, Aio.EnsureFuture(f));
        Assert.Same(t, Aio.EnsureFuture(t));
        Assert.Same(f, Aio.EnsureFuture(f, _loop));

        _loop.RunUntilComplete(t);
    }

    // B037
    [Fact]
    public void EnsureFuture_WrapsACoroutineInATask()
    {
        AioTask<int> t = Aio.EnsureFuture(Aio.Sleep(0, 7), _loop);

        Assert.Same(_loop, t.Loop);
        Assert.Equal(7, _loop.RunUntilComplete(t));
    }

    // B037
    [Fact]
    public void EnsureFuture_WrapsADotNetTaskInAFuture()
    {
        Future<int> f = Aio.EnsureFuture(Task.FromResult(5), _loop);

        Assert.Same(_loop, f.Loop);
        Assert.Equal(5, _loop.RunUntilComplete(f));
    }

    // B037
    [Fact]
    public void EnsureFuture_WithAnotherLoopThanTheFutures_ThrowsArgumentException()
    {
        var other = TestLoop.NewVirtual();
        var f = _loop.CreateFuture<int>();

        try
        {
            var error = Assert.Throws<ArgumentException>(() => Aio.EnsureFuture(f, other));
            Assert.StartsWith("The future belongs to a different loop than the one specified as the loop argument", error.Message);
        }
        finally
        {
            other.Close();
        }
    }

    // B038
    [Fact]
    public void EnsureFuture_WithoutARunningLoop_UsesThisThreadsLoop_UnlikeCreateTask()
    {
        // GetEventLoop's installed loop is per thread: a thread of its own keeps other tests unaffected.
        OnOwnThread(() =>
        {
            Assert.Throws<InvalidOperationException>(() => Aio.CreateTask(Aio.Sleep(0, 1)));

            AioTask<int> t = Aio.EnsureFuture(Aio.Sleep(0, 1));
            EventLoop loop = Aio.GetEventLoop();
            Assert.Same(loop, t.Loop);
            Assert.Equal(1, loop.RunUntilComplete(t));
            loop.Close();
        });
    }

    // B038
    [Fact]
    public void EnsureFuture_AfterSetEventLoopNull_ThrowsNoCurrentEventLoop()
    {
        OnOwnThread(() =>
        {
            Aio.SetEventLoop(null);

            var error = Assert.Throws<InvalidOperationException>(() => Aio.EnsureFuture(Aio.Sleep(0, 1)));
            Assert.StartsWith("There is no current event loop in thread 'ensure-future-test'", error.Message);
        });
    }

    // B038
    [Fact]
    public void EnsureFuture_OnAClosedLoop_ClosesTheCoroutine_CreateTaskDoesNot()
    {
        var closed = TestLoop.NewVirtual();
        closed.Close();
        Coroutine<int> c = Aio.Sleep(0, 1);
        Coroutine<int> c2 = Aio.Sleep(0, 2);

        Assert.Equal("Event loop is closed", Assert.Throws<InvalidOperationException>(() => Aio.EnsureFuture(c, closed)).Message);
        Assert.Equal("Event loop is closed", Assert.Throws<InvalidOperationException>(() => closed.CreateTask(c2)).Message);

        Assert.True(c.IsCompleted);
        var reuse = Assert.Throws<InvalidOperationException>(() => _loop.RunUntilComplete(c));
        Assert.Equal("cannot reuse already awaited coroutine", reuse.Message);
        Assert.False(c2.IsCompleted);
        Assert.Equal(2, _loop.RunUntilComplete(c2));
    }

    // B039
    [Fact]
    public void WrapFuture_CompletesWithTheResultComputedOnAnotherThread()
    {
        int loopThread = Environment.CurrentManagedThreadId;
        int workerThread = 0;
        Future<int> af = Aio.WrapFuture(Task.Run(() =>
        {
            workerThread = Environment.CurrentManagedThreadId;
            return 42;
        }), _loop);

        Assert.Equal(42, _loop.RunUntilComplete(af));
        Assert.NotEqual(loopThread, workerThread);
    }

    // B039
    [Fact]
    public void WrapFuture_InsideARunningLoop_UsesThatLoop()
    {
        async Coroutine<int> Main()
        {
            Future<int> af = Aio.WrapFuture(Task.FromResult(3));
            Assert.Same(_loop, af.Loop);
            return await af;
        }

        Assert.Equal(3, _loop.RunUntilComplete(Main()));
    }

    // B039
    [Fact]
    public void WrapFuture_CancellingTheDotNetTask_CancelsTheFuture()
    {
        var source = new TaskCompletionSource<int>();
        Future<int> af = Aio.WrapFuture(source.Task, _loop);

        source.SetCanceled();

        Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(af));
        Assert.True(af.IsCancelled);
    }

    // B039
    [Fact]
    public void WrapFuture_AFailedDotNetTask_FailsTheFutureWithItsException()
    {
        var source = new TaskCompletionSource<int>();
        Future<int> af = Aio.WrapFuture(source.Task, _loop);
        var boom = new InvalidOperationException("boom");

        source.SetException(boom);

        Assert.Same(boom, Assert.Throws<InvalidOperationException>(() => _loop.RunUntilComplete(af)));
    }

    // B039
    [Fact]
    public async Task WrapFuture_CancellingTheFutureAfterTheTaskFinished_LeavesTheTaskAlone()
    {
        var source = new TaskCompletionSource<int>();
        Future<int> af = Aio.WrapFuture(source.Task, _loop);

        source.SetResult(42);
        af.Cancel();
        _loop.RunOnce();

        Assert.True(source.Task.IsCompletedSuccessfully);
        Assert.Equal(42, await source.Task);
        Assert.True(af.IsCancelled);
    }

    /// <summary>Runs <paramref name="body"/> on a new thread and rethrows what it threw.</summary>
    private static void OnOwnThread(Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { Name = "ensure-future-test" };
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "the test thread did not finish");
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }
}
