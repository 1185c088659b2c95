using System.Diagnostics;

namespace Asyncio.Bench;

/// <summary>
/// The plain .NET baselines of the core workloads: the same programs written with <c>async Task</c>, run on
/// the thread pool (<see cref="Runtimes.ThreadPool"/>) or on one thread (<see cref="Runtimes.SingleThread"/>).
/// </summary>
public static partial class CoreWorkloads
{
    // ---------------------------------------------------------------- W1 spawn

    /// <summary>W1 in plain .NET: <c>await Task.Yield()</c> stands for <c>await Aio.Sleep(0)</c>.</summary>
    [Workload("W1", Runtimes.ThreadPool)]
    [Workload("W1", Runtimes.SingleThread)]
    public static Measurement SpawnDotnet(BenchArgs a) => Probe.RunDotnet(a, () => SpawnDotnetMain(a.Int("n", 200_000)));

    private static async Task<Measurement> SpawnDotnetMain(int n)
    {
        var warm = Probe.StartWarmUp();
        do await SpawnDotnetOnce(Math.Max(1, n / 10)); while (warm.Again());
        var collections = Probe.Collections();
        double cpuBefore = Probe.CpuSeconds();
        var passes = new (double Total, double Create)[Probe.TimedPasses];
        for (int i = 0; i < passes.Length; i++) passes[i] = await SpawnDotnetOnce(n);
        var (seconds, createSeconds) = Probe.Median(passes, p => p.Total);
        return SpawnRate(n, seconds, createSeconds, (Probe.CpuSeconds() - cpuBefore) / passes.Length, Probe.CollectionsSince(collections));
    }

    private static async Task<(double Total, double Create)> SpawnDotnetOnce(int n)
    {
        long start = Stopwatch.GetTimestamp();
        var tasks = new Task<int>[n];
        for (int i = 0; i < n; i++) tasks[i] = SpawnDotnetChild(i);
        double createSeconds = Probe.SecondsSince(start);
        for (int i = 0; i < n; i++)
        {
            if (await tasks[i] != i) throw new InvalidOperationException($"task {i} returned the wrong value");
        }
        return (Probe.SecondsSince(start), createSeconds);
    }

    private static async Task<int> SpawnDotnetChild(int i)
    {
        await Task.Yield();
        return i;
    }

    // ---------------------------------------------------------------- W3 callbacks

    /// <summary>
    /// W3 in plain .NET: <c>ThreadPool.UnsafeQueueUserWorkItem</c> on the pool (callbacks run on every core),
    /// <c>SynchronizationContext.Post</c> on the single thread.
    /// </summary>
    [Workload("W3", Runtimes.ThreadPool, Variants = "flat,chained")]
    [Workload("W3", Runtimes.SingleThread, Variants = "flat,chained")]
    public static Measurement CallbacksDotnet(BenchArgs a)
    {
        int n = a.Int("n", 1_000_000);
        bool chained = a.String("variant", "flat") == "chained";
        return Probe.RunDotnet(a, () => CallbacksDotnetMain(n, chained));
    }

    private static async Task<Measurement> CallbacksDotnetMain(int n, bool chained)
    {
        var warm = Probe.StartWarmUp();
        do await new DotnetCallbackCounter(Math.Max(1, n / 10)).Run(chained); while (warm.Again());
        long start = Stopwatch.GetTimestamp();
        await new DotnetCallbackCounter(n).Run(chained);
        double seconds = Probe.SecondsSince(start);

        // As the library's probe: two sizes, the difference per extra callback.
        long small = await AllocatedByDotnetCallbacks(5_000, chained), large = await AllocatedByDotnetCallbacks(10_000, chained);
        double bytesPerCall = Math.Max(0, large - small) / 5_000.0;

        string api = SynchronizationContext.Current is null ? "ThreadPool.UnsafeQueueUserWorkItem" : "SynchronizationContext.Post";
        return Rate(n, seconds, "callbacks/s", ("variant", chained ? "chained" : "flat"), ("api", api), ("alloc_bytes_per_callsoon", bytesPerCall));
    }

    /// <summary>Bytes the process allocated while <paramref name="n"/> callbacks ran (pool callbacks allocate on other threads).</summary>
    private static async Task<long> AllocatedByDotnetCallbacks(int n, bool chained)
    {
        var probe = new DotnetCallbackCounter(n);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        await probe.Run(chained);
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    /// <summary>The W3 countdown for the plain .NET baselines.</summary>
    private sealed class DotnetCallbackCounter(int count)
    {
        /// <summary>How many callbacks the run schedules.</summary>
        private readonly int _count = count;

        /// <summary>Callbacks still to run; decremented from several pool threads in the flat variant.</summary>
        private int _remaining = count;

        /// <summary>Completed by the last callback; asynchronous continuations keep the awaiter off the callback's stack.</summary>
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The pump in the single-thread baseline; null on the pool.</summary>
        private readonly SynchronizationContext? _pump = SynchronizationContext.Current;

        private static readonly Action<DotnetCallbackCounter> s_poolFlat = static c =>
        {
            if (Interlocked.Decrement(ref c._remaining) == 0) c._done.SetResult();
        };

        // A chain runs one callback at a time, each queued by the previous one: no interlocking needed.
        private static readonly Action<DotnetCallbackCounter> s_poolChained = static c =>
        {
            if (--c._remaining == 0) c._done.SetResult();
            else ThreadPool.UnsafeQueueUserWorkItem(s_poolChained!, c, preferLocal: true);
        };

        private static readonly SendOrPostCallback s_pumpFlat = static state =>
        {
            var c = (DotnetCallbackCounter)state!;
            if (--c._remaining == 0) c._done.SetResult();
        };

        private static readonly SendOrPostCallback s_pumpChained = static state =>
        {
            var c = (DotnetCallbackCounter)state!;
            if (--c._remaining == 0) c._done.SetResult();
            else c._pump!.Post(s_pumpChained!, c);
        };

        public Task Run(bool chained)
        {
            if (_pump is { } pump)
            {
                if (chained) pump.Post(s_pumpChained, this);
                else for (int i = 0; i < _count; i++) pump.Post(s_pumpFlat, this);
            }
            else
            {
                if (chained) ThreadPool.UnsafeQueueUserWorkItem(s_poolChained, this, preferLocal: true);
                else for (int i = 0; i < _count; i++) ThreadPool.UnsafeQueueUserWorkItem(s_poolFlat, this, preferLocal: false);
            }
            return _done.Task;
        }
    }

    // ---------------------------------------------------------------- W4 timers

    /// <summary>W4 in plain .NET: one <c>await Task.Delay(delay)</c> per timer (the timer queue has ~1 ms granularity).</summary>
    [Workload("W4", Runtimes.ThreadPool)]
    [Workload("W4", Runtimes.SingleThread)]
    public static Measurement TimersDotnet(BenchArgs a)
    {
        int n = a.Int("n", 200_000), seed = a.Int("seed", 1);
        double maxDelay = a.Double("max-delay", 1.0);
        return Probe.RunDotnet(a, async () =>
        {
            await TimersDotnetOnce(Math.Max(1, n / 10), maxDelay / 10, seed);
            return await TimersDotnetOnce(n, maxDelay, seed);
        });
    }

    private static async Task<Measurement> TimersDotnetOnce(int n, double maxDelay, int seed)
    {
        double[] delays = TimerDelays(n, maxDelay, seed);
        var fired = new FiringLog(n);
        double cpuStart = Probe.CpuSeconds();
        long start = Stopwatch.GetTimestamp();
        var tasks = new Task[n];
        for (int i = 0; i < n; i++)
        {
            tasks[i] = DelayThenLog(fired, delays[i], start + (long)(delays[i] * Stopwatch.Frequency));
        }
        double scheduleSeconds = Probe.SecondsSince(start);
        await Task.WhenAll(tasks);
        double wall = Probe.SecondsSince(start);
        double cpu = Probe.CpuSeconds() - cpuStart;
        var (lateSum, lateMax, outOfOrder) = fired.Summarize();
        return TimerMeasurement(n, delays, wall, scheduleSeconds, cpu, lateSum, lateMax, outOfOrder);
    }

    private static async Task DelayThenLog(FiringLog log, double delay, long deadline)
    {
        await Task.Delay(TimeSpan.FromSeconds(delay));
        log.Add(deadline, Stopwatch.GetTimestamp());
    }

    /// <summary>Deadlines and firing times in firing order, written from any thread.</summary>
    private sealed class FiringLog(int count)
    {
        private readonly long[] _deadlines = new long[count];
        private readonly long[] _firedAt = new long[count];
        private int _next;

        public void Add(long deadline, long firedAt)
        {
            int slot = Interlocked.Increment(ref _next) - 1;
            _deadlines[slot] = deadline;
            _firedAt[slot] = firedAt;
        }

        /// <summary>Total and largest lateness in seconds, and how many fired after a later deadline.</summary>
        public (double LateSum, double LateMax, int OutOfOrder) Summarize()
        {
            double sum = 0, max = 0;
            int outOfOrder = 0;
            for (int i = 0; i < _next; i++)
            {
                double late = (_firedAt[i] - _deadlines[i]) / (double)Stopwatch.Frequency;
                sum += late;
                max = Math.Max(max, late);
                if (i > 0 && _deadlines[i] < _deadlines[i - 1]) outOfOrder++;
            }
            return (sum, max, outOfOrder);
        }
    }

    // ---------------------------------------------------------------- W5 memory

    /// <summary>W5 in plain .NET: <c>async Task</c> methods awaiting one <see cref="TaskCompletionSource"/>'s task.</summary>
    [Workload("W5", Runtimes.ThreadPool)]
    [Workload("W5", Runtimes.SingleThread)]
    public static Measurement MemoryDotnet(BenchArgs a) => Probe.RunDotnet(a, () => MemoryDotnetMain(a.Int("n", 100_000)));

    private static async Task<Measurement> MemoryDotnetMain(int n)
    {
        var (before, after) = await MemoryDotnetOnce(n);
        var (warmBefore, warmAfter) = await MemoryDotnetOnce(n);
        return MemoryMeasurement(n, before, after, warmAfter.Heap - warmBefore.Heap, "async Task on TaskCompletionSource");
    }

    private static async Task<(MemorySample Before, MemorySample After)> MemoryDotnetOnce(int n)
    {
        var never = new TaskCompletionSource();
        Probe.CollectFully();
        await Task.Yield();
        var before = MemorySample.Take();
        var tasks = new Task[n];
        for (int i = 0; i < n; i++) tasks[i] = WaitForDotnet(never.Task);
        await Task.Yield();
        var after = MemorySample.Take();
        if (tasks[0].IsCompleted || tasks[n - 1].IsCompleted) throw new InvalidOperationException("a waiter finished early");
        never.SetResult();
        await Task.WhenAll(tasks);
        return (before, after);
    }

    private static async Task WaitForDotnet(Task never) => await never;
}
