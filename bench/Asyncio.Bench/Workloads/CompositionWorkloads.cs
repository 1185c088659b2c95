using System.Diagnostics;

namespace Asyncio.Bench.Workloads;

/// <summary>
/// Composition: gather of N tasks, a TaskGroup of N children, N wait_for calls that complete in time.
/// The CPython versions are in bench/py/composition.py; the plain .NET ones use Task.WhenAll and Task.WaitAsync.
/// </summary>
public static class CompositionWorkloads
{
    private static async Coroutine<int> YieldOnce(int i)
    {
        await Aio.Sleep(0);
        return i;
    }

    private static async Task<int> YieldOnceTask(int i)
    {
        await Task.Yield();
        return i;
    }

    private static Measurement PerSecond(int n, double seconds, double cpuSeconds, string what) =>
        new(n / seconds, $"{what}/s", new Dictionary<string, object>
        {
            ["n"] = n,
            ["seconds"] = seconds,
            // The process's CPU time over the timed run, all threads: the thread pool's baselines use both cores.
            ["cpu_s"] = cpuSeconds,
            [$"cpu_ns_per_{what.TrimEnd('s')}"] = cpuSeconds / n * 1e9,
        });

    /// <summary>
    /// Warms up with <paramref name="once"/> at a tenth of the size (see <see cref="Probe.WarmUp"/>), then times it
    /// at full size <see cref="Probe.TimedPasses"/> times and keeps the median pass (the CPython script times one
    /// cold run: it has no compiler to warm).
    /// </summary>
    private static Measurement Timed(int n, string what, Action<int> once)
    {
        Probe.WarmUp(() => once(Math.Max(1, n / 10)));
        double cpuBefore = Probe.CpuSeconds();
        var passes = new TimeSpan[Probe.TimedPasses];
        for (int i = 0; i < passes.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            once(n);
            passes[i] = clock.Elapsed;
        }
        return PerSecond(n, Probe.Median(passes, p => p.TotalSeconds).TotalSeconds, (Probe.CpuSeconds() - cpuBefore) / passes.Length, what);
    }

    [Workload("gather", Runtimes.Aio)]
    public static Measurement GatherAio(BenchArgs a)
    {
        return Timed(a.Int("n", 100_000), "tasks", n =>
        {
            if (Aio.Run(Gather(n)).Length != n) throw new InvalidOperationException("wrong count");
        });

        static async Coroutine<int[]> Gather(int n)
        {
            var tasks = new AioTask<int>[n];
            for (int i = 0; i < n; i++) tasks[i] = Aio.CreateTask(YieldOnce(i));
            return await Aio.Gather(tasks);
        }
    }

    [Workload("gather", Runtimes.ThreadPool)]
    public static Measurement GatherThreadPool(BenchArgs a)
    {
        return Timed(a.Int("n", 100_000), "tasks", n =>
        {
            int[] results = Task.Run(() => Task.WhenAll(Enumerable.Range(0, n).Select(YieldOnceTask))).GetAwaiter().GetResult();
            if (results.Length != n) throw new InvalidOperationException("wrong count");
        });
    }

    [Workload("taskgroup", Runtimes.Aio)]
    public static Measurement TaskGroupAio(BenchArgs a)
    {
        return Timed(a.Int("n", 100_000), "tasks", n => Aio.Run(TaskGroup.Run(tg =>
        {
            for (int i = 0; i < n; i++) tg.CreateTask(YieldOnce(i));
        })));
    }

    [Workload("taskgroup", Runtimes.ThreadPool)]
    public static Measurement TaskGroupThreadPool(BenchArgs a)
    {
        // The nearest plain .NET shape: start every child, then Task.WhenAll (no sibling cancellation).
        return Timed(a.Int("n", 100_000), "tasks", n => Task.Run(async () =>
        {
            var tasks = new Task<int>[n];
            for (int i = 0; i < n; i++) tasks[i] = YieldOnceTask(i);
            await Task.WhenAll(tasks);
        }).GetAwaiter().GetResult());
    }

    [Workload("waitfor", Runtimes.Aio)]
    public static Measurement WaitForAio(BenchArgs a)
    {
        return Timed(a.Int("n", 10_000), "calls", n => Aio.Run(Loop(n)));

        static async Coroutine<int> Loop(int n)
        {
            int sum = 0;
            for (int i = 0; i < n; i++) sum += await Aio.WaitFor(YieldOnce(i), 1.0);
            return sum;
        }
    }

    [Workload("waitfor", Runtimes.ThreadPool)]
    public static Measurement WaitForThreadPool(BenchArgs a)
    {
        return Timed(a.Int("n", 10_000), "calls", n => Task.Run(async () =>
        {
            int sum = 0;
            for (int i = 0; i < n; i++) sum += await YieldOnceTask(i).WaitAsync(TimeSpan.FromSeconds(1));
            return sum;
        }).GetAwaiter().GetResult());
    }
}
