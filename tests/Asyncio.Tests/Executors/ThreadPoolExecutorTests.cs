// Executors are concurrent.futures: their futures are waited on by blocking, as Python code does.
#pragma warning disable xUnit1031

namespace Asyncio.Tests.Executors;

/// <summary>ThreadPoolExecutor on its own, without a loop (concurrent.futures.ThreadPoolExecutor).</summary>
public class ThreadPoolExecutorTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    [Fact]
    public void Submit_ReturnsTheResultComputedOnAWorkerThread()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 2);
        int caller = Environment.CurrentManagedThreadId;
        Task<int> job = pool.Submit(() => Environment.CurrentManagedThreadId);
        Assert.NotEqual(caller, job.Result);
    }

    [Fact]
    public void Submit_WithArgument_PassesIt()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        Assert.Equal(49, pool.Submit(static (int x) => x * x, 7).Result);
    }

    [Fact]
    public void Submit_Action_CompletesTheTask()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        int ran = 0;
        pool.Submit(() => { ran = 1; }).Wait(Generous);
        Assert.Equal(1, ran);
    }

    [Fact]
    public void Submit_JobException_FaultsTheTaskWithThatException()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        var error = new InvalidTimeZoneException("boom");
        Task<int> job = pool.Submit<int>(() => throw error);
        Assert.Same(error, Assert.Throws<InvalidTimeZoneException>(() => job.GetAwaiter().GetResult()));
    }

    [Fact]
    public void MaxWorkers_DefaultsToMin32AndProcessorsPlus4()
    {
        using var pool = new ThreadPoolExecutor();
        Assert.Equal(Math.Min(32, Environment.ProcessorCount + 4), pool.MaxWorkers);
    }

    [Fact]
    public void MaxWorkers_ZeroOrLess_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPoolExecutor(maxWorkers: 0));
    }

    [Fact]
    public void Workers_StartOnDemand_AndAnIdleWorkerIsReused()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 4);
        Assert.Equal(0, pool.ThreadCount);
        pool.Submit(() => 1).Wait(Generous);
        Assert.Equal(1, pool.ThreadCount);
        // The worker counts itself idle before it waits for work; from then on the next job goes to it, no new thread.
        // (The job's task completes a moment before that: waiting on it is not enough.)
        Assert.True(SpinWait.SpinUntil(() => pool.IdleWorkers == 1, Generous));
        pool.Submit(() => 2).Wait(Generous);
        Assert.Equal(1, pool.ThreadCount);
    }

    [Fact]
    public void Workers_NeverExceedMaxWorkers()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 2);
        using var release = new ManualResetEventSlim();
        using var started = new SemaphoreSlim(0);
        int running = 0, peak = 0;
        var jobs = Enumerable.Range(0, 6).Select(_ => pool.Submit(() =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref peak, now);
            started.Release();
            release.Wait(Generous);
            Interlocked.Decrement(ref running);
        })).ToArray();
        // Both workers are busy; a third one, if the pool started it, would have its job running by the release.
        Assert.True(started.Wait(Generous) && started.Wait(Generous));
        release.Set();
        Assert.True(Task.WaitAll(jobs, Generous));
        Assert.Equal(2, pool.ThreadCount);
        Assert.Equal(2, peak);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    [Fact]
    public void WorkerThreads_AreNamedPrefixUnderscoreNumber_AndAreNotDotnetPoolThreads()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1, threadNamePrefix: "dl");
        var (name, isPoolThread, isBackground) = pool.Submit(() =>
            (Thread.CurrentThread.Name, Thread.CurrentThread.IsThreadPoolThread, Thread.CurrentThread.IsBackground)).Result;
        Assert.Equal("dl_0", name);
        Assert.False(isPoolThread);
        Assert.True(isBackground);
    }

    [Fact]
    public void WorkerThreads_DefaultPrefixIsThreadPoolExecutorN()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        Assert.Matches(@"^ThreadPoolExecutor-\d+_0$", pool.Submit(() => Thread.CurrentThread.Name).Result);
    }

    [Fact]
    public void Submit_AfterShutdown_ThrowsCannotScheduleNewFutures()
    {
        var pool = new ThreadPoolExecutor(maxWorkers: 1);
        pool.Shutdown();
        Action submit = () => pool.Submit(() => 1);
        var error = Assert.Throws<InvalidOperationException>(submit);
        Assert.Equal("cannot schedule new futures after shutdown", error.Message);
    }

    [Fact]
    public void Shutdown_Wait_RunsTheQueuedJobsBeforeReturning()
    {
        var pool = new ThreadPoolExecutor(maxWorkers: 1);
        int done = 0;
        for (int i = 0; i < 5; i++) pool.Submit(() => { Thread.Sleep(10); Interlocked.Increment(ref done); });
        pool.Shutdown(wait: true);
        Assert.Equal(5, done);
    }

    [Fact]
    public void Shutdown_CancelFutures_CancelsTheJobsNotStarted()
    {
        var pool = new ThreadPoolExecutor(maxWorkers: 1);
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Task running = pool.Submit(() => { started.Set(); release.Wait(Generous); });
        Task<int> queued = pool.Submit(() => 2);
        Assert.True(started.Wait(Generous));
        pool.Shutdown(wait: false, cancelFutures: true);
        Assert.True(queued.IsCanceled);
        release.Set();
        Assert.True(running.Wait(Generous));
    }

    [Fact]
    public void Submit_CancelledToken_CancelsAJobNotYetStarted()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        using var release = new ManualResetEventSlim();
        using var cts = new CancellationTokenSource();
        pool.Submit(() => release.Wait(Generous));
        int ran = 0;
        Task second = pool.Submit(() => { ran = 1; }, cts.Token);
        cts.Cancel();
        Assert.True(second.IsCanceled);
        release.Set();
        pool.Shutdown();
        Assert.Equal(0, ran);
    }

    [Fact]
    public void Submit_CancelledToken_DoesNotStopARunningJob()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var cts = new CancellationTokenSource();
        Task<int> job = pool.Submit(() => { started.Set(); release.Wait(Generous); return 5; }, cts.Token);
        Assert.True(started.Wait(Generous));
        cts.Cancel();
        release.Set();
        Assert.Equal(5, job.Result);
    }

    [Fact]
    public void Initializer_RunsOnceOnEachWorker()
    {
        int initialized = 0;
        var pool = new ThreadPoolExecutor(maxWorkers: 2, initializer: () => Interlocked.Increment(ref initialized));
        using var release = new ManualResetEventSlim();
        var jobs = Enumerable.Range(0, 4).Select(_ => pool.Submit(() => release.Wait(Generous))).ToArray();
        release.Set();
        pool.Shutdown();
        Assert.Equal(2, initialized);
    }

    [Fact]
    public void Initializer_Failure_BreaksThePool()
    {
        var pool = new ThreadPoolExecutor(maxWorkers: 1, initializer: () => throw new InvalidDataException("init"));
        Task<int> job = pool.Submit(() => 1);
        var error = Assert.Throws<BrokenThreadPool>(() => job.GetAwaiter().GetResult());
        Assert.IsType<InvalidDataException>(error.InnerException);
        Assert.True(pool.IsBroken);
        Action submit = () => pool.Submit(() => 2);
        Assert.Throws<BrokenThreadPool>(submit);
    }

    [Fact]
    public void Submit_JobsRunWithoutTheSubmittersAsyncLocals()
    {
        var local = new AsyncLocal<string>();
        local.Value = "main";
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        Assert.Null(pool.Submit(() => local.Value).Result);
    }

    [Fact]
    public void Submit_AsyncLocalSetByAJob_IsGoneForTheNextJob()
    {
        var local = new AsyncLocal<string>();
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        pool.Submit(() => { local.Value = "leak"; }).Wait(Generous);
        Assert.Null(pool.Submit(() => local.Value).Result);
    }

    [Fact]
    public void Map_YieldsResultsInTheOrderOfTheItems()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 3);
        var results = pool.Map(x => { Thread.Sleep((5 - x) * 5); return x * 10; }, [1, 2, 3, 4]).ToList();
        Assert.Equal([10, 20, 30, 40], results);
    }

    [Fact]
    public void Map_SubmitsEverythingBeforeIterating()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 2);
        using var ran = new CountdownEvent(3);
        IEnumerable<int> results = pool.Map(x => { ran.Signal(); return x; }, [1, 2, 3]);
        Assert.True(ran.Wait(Generous));
        Assert.Equal(3, results.Count());
    }

    [Fact]
    public void Map_AnItemsException_IsThrownWhenItsResultIsReached()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 2);
        using var results = pool.Map(x => x == 2 ? throw new InvalidDataException("two") : x, [1, 2, 3]).GetEnumerator();
        Assert.True(results.MoveNext());
        Assert.Equal(1, results.Current);
        Assert.Throws<InvalidDataException>(() => results.MoveNext());
    }

    [Fact]
    public void Map_Timeout_ThrowsTimeoutExceptionForALateResult()
    {
        using var pool = new ThreadPoolExecutor(maxWorkers: 1);
        using var release = new ManualResetEventSlim();
        IEnumerable<int> results = pool.Map(x => { release.Wait(Generous); return x; }, [1], timeout: 0.05);
        Assert.Throws<TimeoutException>(() => results.ToList());
        release.Set();
    }

    [Fact]
    public void Map_StoppingEarly_CancelsTheJobsNotStarted()
    {
        var pool = new ThreadPoolExecutor(maxWorkers: 1);
        using var release = new ManualResetEventSlim();
        int ran = 0;
        // Item 0 returns at once; item 1 (if the worker gets to it before the loop breaks) holds the only worker.
        foreach (int x in pool.Map(x => { Interlocked.Increment(ref ran); if (x > 0) release.Wait(Generous); return x; }, Enumerable.Range(0, 20)))
        {
            break;
        }
        release.Set();
        pool.Shutdown();
        Assert.InRange(ran, 1, 2);
    }

    [Fact]
    public void Dispose_WaitsForTheJobs()
    {
        int done = 0;
        using (var pool = new ThreadPoolExecutor(maxWorkers: 2))
        {
            for (int i = 0; i < 4; i++) pool.Submit(() => { Thread.Sleep(20); Interlocked.Increment(ref done); });
        }
        Assert.Equal(4, done);
    }
}
