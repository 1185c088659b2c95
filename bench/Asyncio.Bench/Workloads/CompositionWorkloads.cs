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

    private static Measurement PerSecond(int n, Stopwatch clock, string what) =>
        new(n / clock.Elapsed.TotalSeconds, $"{what}/s", new Dictionary<string, object> { ["n"] = n, ["seconds"] = clock.Elapsed.TotalSeconds });

    [Workload("gather", Runtimes.Aio)]
    public static Measurement GatherAio(BenchArgs a)
    {
        int n = a.Int("n", 100_000);
        var clock = Stopwatch.StartNew();
        int[] results = Aio.Run(Gather(n));
        clock.Stop();
        if (results.Length != n) throw new InvalidOperationException("wrong count");
        return PerSecond(n, clock, "tasks");

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
        int n = a.Int("n", 100_000);
        var clock = Stopwatch.StartNew();
        int[] results = Task.Run(() => Task.WhenAll(Enumerable.Range(0, n).Select(YieldOnceTask))).GetAwaiter().GetResult();
        clock.Stop();
        if (results.Length != n) throw new InvalidOperationException("wrong count");
        return PerSecond(n, clock, "tasks");
    }

    [Workload("taskgroup", Runtimes.Aio)]
    public static Measurement TaskGroupAio(BenchArgs a)
    {
        int n = a.Int("n", 100_000);
        var clock = Stopwatch.StartNew();
        Aio.Run(TaskGroup.Run(tg =>
        {
            for (int i = 0; i < n; i++) tg.CreateTask(YieldOnce(i));
        }));
        clock.Stop();
        return PerSecond(n, clock, "tasks");
    }

    [Workload("taskgroup", Runtimes.ThreadPool)]
    public static Measurement TaskGroupThreadPool(BenchArgs a)
    {
        // The nearest plain .NET shape: start every child, then Task.WhenAll (no sibling cancellation).
        int n = a.Int("n", 100_000);
        var clock = Stopwatch.StartNew();
        Task.Run(async () =>
        {
            var tasks = new Task<int>[n];
            for (int i = 0; i < n; i++) tasks[i] = YieldOnceTask(i);
            await Task.WhenAll(tasks);
        }).GetAwaiter().GetResult();
        clock.Stop();
        return PerSecond(n, clock, "tasks");
    }

    [Workload("waitfor", Runtimes.Aio)]
    public static Measurement WaitForAio(BenchArgs a)
    {
        int n = a.Int("n", 10_000);
        var clock = Stopwatch.StartNew();
        Aio.Run(Loop(n));
        clock.Stop();
        return PerSecond(n, clock, "calls");

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
        int n = a.Int("n", 10_000);
        var clock = Stopwatch.StartNew();
        Task.Run(async () =>
        {
            int sum = 0;
            for (int i = 0; i < n; i++) sum += await YieldOnceTask(i).WaitAsync(TimeSpan.FromSeconds(1));
            return sum;
        }).GetAwaiter().GetResult();
        clock.Stop();
        return PerSecond(n, clock, "calls");
    }
}
