using System.Diagnostics;

namespace Asyncio.Bench;

/// <summary>
/// The core workloads of the loop: W1 spawn, W3 callbacks, W4 timers, W5 memory, on this library.
/// The plain .NET baselines of the same workloads are in <c>CoreWorkloads.Dotnet.cs</c>; the CPython ones are
/// <c>bench/py/core.py</c>. Each timed workload first runs a warm-up
/// pass at a tenth of its size, as the CPython scripts do.
/// </summary>
public static partial class CoreWorkloads
{
    // ---------------------------------------------------------------- W1 spawn

    /// <summary>W1: <c>--n</c> tasks (200,000), each <c>await Aio.Sleep(0)</c> once and returns its index; tasks/s.</summary>
    [Workload("W1", Runtimes.Aio)]
    public static Measurement SpawnAio(BenchArgs a) => Aio.Run(SpawnAioMain(a.Int("n", 200_000)));

    private static async Coroutine<Measurement> SpawnAioMain(int n)
    {
        var warm = Probe.StartWarmUp();
        do await SpawnAioOnce(Math.Max(1, n / 10)); while (warm.Again());
        var collections = Probe.Collections();
        double cpuBefore = Probe.CpuSeconds();
        var passes = new (double Total, double Create)[Probe.TimedPasses];
        for (int i = 0; i < passes.Length; i++) passes[i] = await SpawnAioOnce(n);
        var (seconds, createSeconds) = Probe.Median(passes, p => p.Total);
        return SpawnRate(n, seconds, createSeconds, (Probe.CpuSeconds() - cpuBefore) / passes.Length, Probe.CollectionsSince(collections));
    }

    private static async Coroutine<(double Total, double Create)> SpawnAioOnce(int n)
    {
        long start = Stopwatch.GetTimestamp();
        var tasks = new AioTask<int>[n];
        for (int i = 0; i < n; i++) tasks[i] = Aio.CreateTask(SpawnChild(i));
        double createSeconds = Probe.SecondsSince(start);
        int[] results = await Aio.Gather(tasks);
        if (results.Length != n || results[n - 1] != n - 1) throw new InvalidOperationException("gather returned the wrong values");
        return (Probe.SecondsSince(start), createSeconds);
    }

    private static async Coroutine<int> SpawnChild(int i)
    {
        await Aio.Sleep(0);
        return i;
    }

    // ---------------------------------------------------------------- W3 callbacks

    /// <summary>
    /// W3: <c>--n</c> callbacks (1,000,000) with <c>CallSoon</c>, all scheduled up front (<c>--variant flat</c>)
    /// or each scheduling the next (<c>chained</c>); callbacks/s. Also reports the bytes allocated per further
    /// <c>CallSoon</c>: the difference between a pass of 5,000 and one of 10,000 after the timed one.
    /// </summary>
    [Workload("W3", Runtimes.Aio, Variants = "flat,chained")]
    public static Measurement CallbacksAio(BenchArgs a) =>
        Aio.Run(CallbacksAioMain(a.Int("n", 1_000_000), a.String("variant", "flat") == "chained"));

    private static async Coroutine<Measurement> CallbacksAioMain(int n, bool chained)
    {
        var warm = Probe.StartWarmUp();
        do await CallbacksAioOnce(Math.Max(1, n / 10), chained); while (warm.Again());
        double seconds = await CallbacksAioOnce(n, chained);

        // Two probes of different sizes: their difference is what the extra callbacks allocated, without what one
        // probe costs whatever its size (the counter's future, the await of it).
        long small = await AllocatedByCallbacks(5_000, chained), large = await AllocatedByCallbacks(10_000, chained);
        double bytesPerCall = Math.Max(0, large - small) / 5_000.0;

        return Rate(n, seconds, "callbacks/s", ("variant", chained ? "chained" : "flat"), ("alloc_bytes_per_callsoon", bytesPerCall));
    }

    /// <summary>Bytes this thread allocated while <paramref name="n"/> callbacks ran (the queue has grown by then).</summary>
    private static async Coroutine<long> AllocatedByCallbacks(int n, bool chained)
    {
        var counter = new CallbackCounter(Aio.GetRunningLoop(), n);
        long before = GC.GetAllocatedBytesForCurrentThread();
        await counter.Start(chained);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static async Coroutine<double> CallbacksAioOnce(int n, bool chained)
    {
        var counter = new CallbackCounter(Aio.GetRunningLoop(), n);
        long start = Stopwatch.GetTimestamp();
        await counter.Start(chained);
        return Probe.SecondsSince(start);
    }

    /// <summary>The state every W3 callback gets: a countdown that completes a future at zero.</summary>
    private sealed class CallbackCounter
    {
        private readonly EventLoop _loop;

        /// <summary>How many callbacks the run schedules.</summary>
        private readonly int _count;

        /// <summary>Callbacks still to run.</summary>
        private int _remaining;

        /// <summary>Completed by the last callback.</summary>
        private readonly Future<object?> _done;

        public CallbackCounter(EventLoop loop, int count)
        {
            _loop = loop;
            _count = count;
            _remaining = count;
            _done = loop.CreateFuture();
        }

        /// <summary>Cached once: a static lambda with state keeps each <c>CallSoon</c> allocation-free.</summary>
        private static readonly Action<CallbackCounter> s_flat = static c =>
        {
            if (--c._remaining == 0) c._done.SetResult(null);
        };

        private static readonly Action<CallbackCounter> s_chained = static c =>
        {
            if (--c._remaining == 0) c._done.SetResult(null);
            else c._loop.CallSoon(s_chained!, c);
        };

        /// <summary>Schedules the callbacks (or the first of the chain) and returns the future the last one completes.</summary>
        public Future<object?> Start(bool chained)
        {
            if (chained)
            {
                _loop.CallSoon(s_chained, this);
            }
            else
            {
                for (int i = 0; i < _count; i++) _loop.CallSoon(s_flat, this);
            }
            return _done;
        }
    }

    // ---------------------------------------------------------------- W4 timers

    /// <summary>
    /// W4: <c>--n</c> timers (200,000) with <c>CallLater</c> and delays drawn uniformly from [0, <c>--max-delay</c>]
    /// seconds (seed <c>--seed</c>); milliseconds from the start of scheduling past the largest delay when the
    /// last timer has fired. Fails when a timer fires before one with an earlier deadline.
    /// </summary>
    [Workload("W4", Runtimes.Aio)]
    public static Measurement TimersAio(BenchArgs a) =>
        Aio.Run(TimersAioMain(a.Int("n", 200_000), a.Double("max-delay", 1.0), a.Int("seed", 1)));

    private static async Coroutine<Measurement> TimersAioMain(int n, double maxDelay, int seed)
    {
        await TimersAioOnce(Math.Max(1, n / 10), maxDelay / 10, seed);
        return await TimersAioOnce(n, maxDelay, seed);
    }

    private static async Coroutine<Measurement> TimersAioOnce(int n, double maxDelay, int seed)
    {
        double[] delays = TimerDelays(n, maxDelay, seed);
        EventLoop loop = Aio.GetRunningLoop();
        var run = new TimerRun(loop, n);
        double cpuStart = Probe.CpuSeconds();
        long start = Stopwatch.GetTimestamp();
        foreach (double delay in delays)
        {
            var timer = new TimerProbe(run);
            timer.Handle = loop.CallLater(delay, TimerRun.Fire, timer);
        }
        double scheduleSeconds = Probe.SecondsSince(start);
        await run.Done;
        double wall = Probe.SecondsSince(start);
        double cpu = Probe.CpuSeconds() - cpuStart;
        if (run.OutOfOrder != 0) throw new InvalidOperationException($"{run.OutOfOrder} timers fired after a later deadline");
        return TimerMeasurement(n, delays, wall, scheduleSeconds, cpu, run.LateSum, run.LateMax, run.OutOfOrder);
    }

    /// <summary>What the W4 timers share: lateness statistics and the order check.</summary>
    private sealed class TimerRun
    {
        private readonly EventLoop _loop;

        /// <summary>Completed by the last timer.</summary>
        public readonly Future<object?> Done;

        /// <summary>Timers still to fire.</summary>
        private int _remaining;

        /// <summary>Deadline of the timer that fired last.</summary>
        private double _lastDeadline = double.NegativeInfinity;

        /// <summary>Seconds past their deadlines, summed over the timers.</summary>
        public double LateSum;

        /// <summary>The largest lateness seen, in seconds.</summary>
        public double LateMax;

        /// <summary>Timers that fired after one with a later deadline (must stay 0).</summary>
        public int OutOfOrder;

        public TimerRun(EventLoop loop, int count)
        {
            _loop = loop;
            _remaining = count;
            Done = loop.CreateFuture();
        }

        public static readonly Action<TimerProbe> Fire = static timer =>
        {
            TimerRun run = timer.Run;
            double deadline = timer.Handle!.When;
            double late = run._loop.Time() - deadline;
            run.LateSum += late;
            if (late > run.LateMax) run.LateMax = late;
            if (deadline < run._lastDeadline) run.OutOfOrder++;
            run._lastDeadline = deadline;
            if (--run._remaining == 0) run.Done.SetResult(null);
        };
    }

    /// <summary>One W4 timer's state: its run, and its own handle (whose <c>When</c> is the deadline it must meet).</summary>
    private sealed class TimerProbe(TimerRun run)
    {
        public readonly TimerRun Run = run;
        public TimerHandle? Handle;
    }

    // ---------------------------------------------------------------- W5 memory

    /// <summary>
    /// W5: <c>--n</c> tasks (100,000) suspended on one future that is not completed while measuring; managed heap
    /// bytes per task (<c>GC.GetTotalMemory(true)</c> before and after; the task array is included, as the reference
    /// scripts include their list). Also reports bytes allocated and RSS growth per task, and the heap bytes per task
    /// of a second, identical round (<c>warm_heap_bytes_per_task</c>): by then the loop's queues have grown to size,
    /// so it counts what each task holds, without the buffers the first round left grown. No warm-up before the
    /// first round: it measures memory, not time.
    /// </summary>
    [Workload("W5", Runtimes.Aio)]
    public static Measurement MemoryAio(BenchArgs a) => Aio.Run(MemoryAioMain(a.Int("n", 100_000)));

    private static async Coroutine<Measurement> MemoryAioMain(int n)
    {
        var (before, after) = await MemoryAioOnce(n);
        var (warmBefore, warmAfter) = await MemoryAioOnce(n);
        return MemoryMeasurement(n, before, after, warmAfter.Heap - warmBefore.Heap, "AioTask on Future");
    }

    private static async Coroutine<(MemorySample Before, MemorySample After)> MemoryAioOnce(int n)
    {
        var never = Aio.GetRunningLoop().CreateFuture();
        Probe.CollectFully();
        await Aio.Sleep(0);
        var before = MemorySample.Take();
        var tasks = new AioTask[n];
        for (int i = 0; i < n; i++) tasks[i] = Aio.CreateTask(WaitFor(never));
        await Aio.Sleep(0); // every task runs to its await
        await Aio.Sleep(0);
        var after = MemorySample.Take();
        if (tasks[0].IsDone || tasks[n - 1].IsDone) throw new InvalidOperationException("a waiter finished early");
        never.SetResult(null);
        foreach (AioTask task in tasks) await task;
        return (before, after);
    }

    private static async Coroutine WaitFor(Future never) => await never;
}
