namespace Asyncio.Tests.Executors;

/// <summary>loop.run_in_executor (B140, B144) and the loop's default executor (B142, B143, B133).</summary>
public class RunInExecutorTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    // B140
    [Fact]
    public void RunInExecutor_Null_UsesTheDefaultPoolWhoseThreadsAreNamedAsyncio()
    {
        static async Coroutine<string?> Main() =>
            await Aio.GetRunningLoop().RunInExecutor(null, () => Thread.CurrentThread.Name);

        Assert.Equal("asyncio_0", TestLoop.RunVirtual(Main));
    }

    // B140
    [Fact]
    public void RunInExecutor_Null_ReusesTheSameDefaultPool()
    {
        static async Coroutine<(string?, string?)> Main()
        {
            EventLoop loop = Aio.GetRunningLoop();
            string? first = await loop.RunInExecutor(null, () => Thread.CurrentThread.Name);
            string? second = await loop.RunInExecutor(null, () => Thread.CurrentThread.Name);
            return (first, second);
        }

        Assert.Equal(("asyncio_0", "asyncio_0"), TestLoop.RunVirtual(Main));
    }

    // B140
    [Fact]
    public void RunInExecutor_ReturnsAPendingLoopFutureAtOnce()
    {
        var loop = TestLoop.NewVirtual();
        using var release = new ManualResetEventSlim();
        Future<int> future = loop.RunInExecutor(null, () => { release.Wait(Generous); return 3; });
        Assert.False(future.IsDone);
        release.Set();
        Assert.Equal(3, loop.RunUntilComplete(future));
        loop.Close();
    }

    // B140: arguments are positional (a function and its argument), as a process pool needs
    [Fact]
    public void RunInExecutor_WithArgument_PassesIt()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        var loop = TestLoop.NewVirtual();
        Assert.Equal(49, loop.RunUntilComplete(loop.RunInExecutor(pool, static (int x) => x * x, 7)));
        loop.Close();
    }

    // B140
    [Fact]
    public void RunInExecutor_ProcessPool_RunsTheStaticMethodInAWorker()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        var loop = TestLoop.NewVirtual();
        Assert.Equal(49, loop.RunUntilComplete(loop.RunInExecutor(pool, ProcessJobs.Square, 7)));
        loop.Close();
    }

    [Fact]
    public void RunInExecutor_JobException_IsThrownAtTheAwait()
    {
        static async Coroutine<string> Main()
        {
            try
            {
                await Aio.GetRunningLoop().RunInExecutor<int>(null, () => throw new InvalidDataException("job"));
                return "no error";
            }
            catch (InvalidDataException e)
            {
                return e.Message;
            }
        }

        Assert.Equal("job", TestLoop.RunVirtual(Main));
    }

    [Fact]
    public void RunInExecutor_Action_CompletesTheFuture()
    {
        var loop = TestLoop.NewVirtual();
        int ran = 0;
        loop.RunUntilComplete(loop.RunInExecutor(null, () => { ran = 1; }));
        Assert.Equal(1, ran);
        loop.Close();
    }

    [Fact]
    public void RunInExecutor_FunctionReturningACoroutine_ThrowsArgumentException()
    {
        static async Coroutine<int> Job() => await Aio.Sleep<int>(0, 1);

        var loop = TestLoop.NewVirtual();
        var error = Assert.Throws<ArgumentException>(() => loop.RunInExecutor(null, Job));
        Assert.StartsWith("coroutines cannot be used with RunInExecutor()", error.Message);
        loop.Close();
    }

    [Fact]
    public void RunInExecutor_OnAClosedLoop_ThrowsEventLoopIsClosed()
    {
        var loop = TestLoop.NewVirtual();
        loop.Close();
        var error = Assert.Throws<InvalidOperationException>(() => loop.RunInExecutor(null, () => 1));
        Assert.Equal("Event loop is closed", error.Message);
    }

    [Fact]
    public void RunInExecutor_AnyIExecutor_IsUsedThroughItsInterface()
    {
        using var inner = new ThreadPoolExecutor(maxWorkers: 1, threadNamePrefix: "custom");
        IExecutor executor = new CountingExecutor(inner);
        var loop = TestLoop.NewVirtual();
        Assert.Equal("custom_0", loop.RunUntilComplete(loop.RunInExecutor(executor, () => Thread.CurrentThread.Name)));
        Assert.Equal(1, ((CountingExecutor)executor).Submitted);
        loop.Close();
    }

    // B144, through the IExecutor interface: the future's cancellation reaches the job as a token
    [Fact]
    public void Cancel_PendingJobOfAnyIExecutor_CancelsTheJob()
    {
        using var inner = new ThreadPoolExecutor(maxWorkers: 1);
        IExecutor executor = new CountingExecutor(inner);
        using var release = new ManualResetEventSlim();
        int secondRan = 0;
        var loop = TestLoop.NewVirtual();
        Future<bool> blocker = loop.RunInExecutor(executor, () => release.Wait(Generous));
        Future<int> second = loop.RunInExecutor(executor, () => secondRan = 1);
        Assert.True(second.Cancel());
        release.Set();
        loop.RunUntilComplete(blocker);
        inner.Shutdown(wait: true);
        Assert.Equal(0, secondRan);
        Assert.True(second.IsCancelled);
        loop.Close();
    }

    // The loop does not let a virtual clock jump past a job in flight.
    [Fact]
    public void VirtualClock_DoesNotMoveWhileAJobRuns()
    {
        static async Coroutine<(double Start, double InJob, bool SleeperDone)> Main()
        {
            EventLoop loop = Aio.GetRunningLoop();
            double start = loop.Time();
            AioTask sleeper = Aio.CreateTask(Aio.Sleep<int>(10, 0));
            double inJob = await loop.RunInExecutor(null, () =>
            {
                // The workload: real time passes in the job while the loop has only the sleeper's timer, the moment
                // a virtual clock would jump if it ignored the job.
                Thread.Sleep(100);
                return loop.Time();
            });
            bool done = sleeper.IsDone;
            sleeper.Cancel();
            return (start, inJob, done);
        }

        var (start, inJob, sleeperDone) = TestLoop.RunVirtual(Main);
        Assert.Equal(start, inJob);
        Assert.False(sleeperDone);
    }

    // B144
    [Fact]
    public void Cancel_RunningJob_ReturnsTrue_ButTheJobRunsToItsEnd()
    {
        var loop = TestLoop.NewVirtual();
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        int finished = 0;
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        Future<int> future = loop.RunInExecutor(pool, () =>
        {
            started.Set();
            release.Wait(Generous);
            finished = 1;
            return 1;
        });
        Assert.True(started.Wait(Generous));
        Assert.True(future.Cancel());
        Assert.True(future.IsCancelled);
        release.Set();
        pool.Shutdown(wait: true);
        Assert.Equal(1, finished);
        loop.Close();
    }

    // B144
    [Fact]
    public void CancellingTheAwaitingTask_CancelsAJobNotYetStarted()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        using var release = new ManualResetEventSlim();
        int secondRan = 0;

        async Coroutine<bool> Main()
        {
            EventLoop loop = Aio.GetRunningLoop();
            Future<bool> blocker = loop.RunInExecutor(pool, () => release.Wait(Generous));
            AioTask<int> waiter = Aio.CreateTask(Await(loop.RunInExecutor(pool, () => secondRan = 1)));
            await Aio.Sleep(0);
            waiter.Cancel();
            release.Set();
            await blocker;
            try
            {
                await waiter;
                return false;
            }
            catch (CancelledError)
            {
                return true;
            }
        }

        static async Coroutine<int> Await(Future<int> f) => await f;

        Assert.True(TestLoop.RunVirtual(Main));
        pool.Shutdown(wait: true);
        Assert.Equal(0, secondRan);
    }

    // B142 (the type check is the parameter's type; null is refused)
    [Fact]
    public void SetDefaultExecutor_ReplacesThePoolRunInExecutorNullUses()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1, threadNamePrefix: "mine");
        var loop = TestLoop.NewVirtual();
        loop.SetDefaultExecutor(pool);
        Assert.Equal("mine_0", loop.RunUntilComplete(loop.RunInExecutor(null, () => Thread.CurrentThread.Name)));
        Assert.Throws<ArgumentNullException>(() => loop.SetDefaultExecutor(null!));
        loop.Close();
    }

    // B143
    [Fact]
    public void ShutdownDefaultExecutor_ThenRunInExecutorNull_ThrowsExecutorShutdownHasBeenCalled()
    {
        static async Coroutine<string> Main()
        {
            EventLoop loop = Aio.GetRunningLoop();
            await loop.RunInExecutor(null, () => 1);
            await loop.ShutdownDefaultExecutorAsync();
            return Assert.Throws<InvalidOperationException>(() => loop.RunInExecutor(null, () => 1)).Message;
        }

        Assert.Equal("Executor shutdown has been called", TestLoop.RunVirtual(Main));
    }

    // B143
    [Fact]
    public void ShutdownDefaultExecutor_WaitsForRunningJobsWithoutBlockingTheLoop()
    {
        int finished = 0;
        int ticks = 0;
        using var ticked = new ManualResetEventSlim();

        async Coroutine Main()
        {
            EventLoop loop = Aio.GetRunningLoop();
            // The job ends only once the loop has ticked while the shutdown waits for it: a blocked loop never does.
            _ = loop.RunInExecutor(null, () => { finished = ticked.Wait(Generous) ? 1 : -1; });
            AioTask ticker = Aio.CreateTask(Tick());
            await loop.ShutdownDefaultExecutorAsync();
            ticker.Cancel();
        }

        async Coroutine Tick()
        {
            while (true)
            {
                if (++ticks == 3) ticked.Set();
                await Aio.Sleep(0);
            }
        }

        var loop = Aio.NewEventLoop();
        loop.RunUntilComplete(Main());
        loop.Close();
        Assert.Equal(1, finished);
        Assert.True(ticks > 1, $"ticks {ticks}");
    }

    // B143 (3.12's timeout)
    [Fact]
    public void ShutdownDefaultExecutor_Timeout_StopsWaitingAndWarns()
    {
        using var release = new ManualResetEventSlim();
        var log = new List<string>();

        async Coroutine Main()
        {
            EventLoop loop = Aio.GetRunningLoop();
            _ = loop.RunInExecutor(null, () => release.Wait(Generous));
            await loop.ShutdownDefaultExecutorAsync(timeout: 0.05);
        }

        var loop = Aio.NewEventLoop();
        loop.Logger = new ListLogger(log);
        loop.RunUntilComplete(Main());
        release.Set();
        loop.Close();
        Assert.Contains(log, l => l.Contains("did not finishing joining its threads within 0.05 seconds"));
    }

    // B133
    [Fact]
    public void AioRun_ShutsTheDefaultExecutorDownAndJoinsItsThreads()
    {
        Thread? worker = null;

        async Coroutine<int> Main()
        {
            await Aio.GetRunningLoop().RunInExecutor(null, () => { worker = Thread.CurrentThread; });
            return 0;
        }

        Aio.Run(Main());
        Assert.NotNull(worker);
        Assert.False(worker!.IsAlive);
    }

    [Fact]
    public void LoopClose_ShutsTheDefaultExecutorDown()
    {
        Thread? worker = null;
        var loop = TestLoop.NewVirtual();
        loop.RunUntilComplete(loop.RunInExecutor(null, () => { worker = Thread.CurrentThread; }));
        loop.Close();
        Assert.True(worker!.Join(Generous));
    }

    /// <summary>An executor known to the loop only through <see cref="IExecutor"/>.</summary>
    private sealed class CountingExecutor(IExecutor inner) : IExecutor
    {
        public int Submitted;

        public Task<T> Submit<T>(Func<T> func, CancellationToken token = default)
        {
            Submitted++;
            return inner.Submit(func, token);
        }

        public Task<TResult> Submit<TArg, TResult>(Func<TArg, TResult> func, TArg arg, CancellationToken token = default)
        {
            Submitted++;
            return inner.Submit(func, arg, token);
        }

        public Task Submit(Action action, CancellationToken token = default)
        {
            Submitted++;
            return inner.Submit(action, token);
        }

        public void Shutdown(bool wait = true, bool cancelFutures = false) => inner.Shutdown(wait, cancelFutures);

        public void Dispose() => inner.Dispose();
    }
}
