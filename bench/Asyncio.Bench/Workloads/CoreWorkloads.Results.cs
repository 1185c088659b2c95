namespace Asyncio.Bench;

/// <summary>How the core workloads turn what they saw into a <see cref="Measurement"/>, the same on every runtime.</summary>
public static partial class CoreWorkloads
{
    /// <summary>A throughput: <paramref name="n"/> operations in <paramref name="seconds"/>.</summary>
    private static Measurement Rate(int n, double seconds, string unit, params (string Key, object Value)[] extra)
    {
        var fields = new Dictionary<string, object> { ["n"] = n, ["wall_s"] = seconds };
        foreach (var (key, value) in extra) fields[key] = value;
        return new Measurement(n / seconds, unit, fields);
    }

    /// <summary>
    /// W1's result: tasks per wall-clock second is the headline; the CPU time of the process over the timed run
    /// (all threads: the thread pool's runs on both cores, the loop on one) gives the cost per task.
    /// </summary>
    private static Measurement SpawnRate(int n, double seconds, double createSeconds, double cpuSeconds, string collections) =>
        Rate(n, seconds, "tasks/s", ("create_s", createSeconds), ("cpu_s", cpuSeconds),
            ("cpu_ns_per_task", cpuSeconds / n * 1e9), ("gcs", collections));

    /// <summary>W4's delays, uniform in [0, <paramref name="maxDelay"/>] seconds; the same for every .NET runtime.</summary>
    private static double[] TimerDelays(int n, double maxDelay, int seed)
    {
        var random = new Random(seed);
        var delays = new double[n];
        for (int i = 0; i < n; i++) delays[i] = random.NextDouble() * maxDelay;
        return delays;
    }

    /// <summary>
    /// W4's result in the reference script's shape: the headline is the time from the start of scheduling to the
    /// last firing, minus the largest delay.
    /// </summary>
    private static Measurement TimerMeasurement(
        int n, double[] delays, double wall, double scheduleSeconds, double cpu, double lateSum, double lateMax, int outOfOrder)
    {
        double overshoot = wall - delays.Max();
        var fields = new Dictionary<string, object>
        {
            ["n"] = n,
            ["wall_s"] = wall,
            ["schedule_s"] = scheduleSeconds,
            ["overshoot_ms"] = overshoot * 1e3,
            ["cpu_s"] = cpu,
            ["cpu_per_timer_us"] = cpu / n * 1e6,
            ["late_mean_ms"] = lateSum / n * 1e3,
            ["late_max_ms"] = lateMax * 1e3,
            ["out_of_order"] = outOfOrder,
        };
        return new Measurement(overshoot * 1e3, "ms beyond max delay", fields);
    }

    /// <summary>The memory figures W5 compares before and after the tasks are suspended.</summary>
    private readonly record struct MemorySample(long Heap, long Allocated, long Rss)
    {
        /// <summary>Allocations are counted process-wide: a thread-pool baseline resumes on another thread.</summary>
        public static MemorySample Take()
        {
            long allocated = GC.GetTotalAllocatedBytes(precise: true);
            long heap = GC.GetTotalMemory(forceFullCollection: true);
            return new MemorySample(heap, allocated, Probe.RssBytes());
        }
    }

    /// <summary>W5's result: live managed heap per task is the headline; allocations and RSS come along.</summary>
    private static Measurement MemoryMeasurement(int n, MemorySample before, MemorySample after, long warmHeapGrowth, string variant)
    {
        var fields = new Dictionary<string, object>
        {
            ["variant"] = variant,
            ["n"] = n,
            ["warm_heap_bytes_per_task"] = warmHeapGrowth / (double)n,
            ["allocated_bytes_per_task"] = (after.Allocated - before.Allocated) / (double)n,
            ["rss_before"] = before.Rss,
            ["rss_after"] = after.Rss,
            ["rss_bytes_per_task"] = (after.Rss - before.Rss) / (double)n,
        };
        return new Measurement((after.Heap - before.Heap) / (double)n, "bytes/task (GC heap)", fields);
    }
}
