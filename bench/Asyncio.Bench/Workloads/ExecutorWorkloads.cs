using System.Diagnostics;

namespace Asyncio.Bench.Workloads;

/// <summary>
/// Executors: the round trip of <c>to_thread</c> (loop to worker thread and back), and the speed-up of
/// CPU-bound work spread over a <see cref="ProcessPoolExecutor"/> or <see cref="ThreadPoolExecutor"/>.
/// The CPython side is bench/py/executors.py.
/// </summary>
public static class ExecutorWorkloads
{
    private static int One() => 1;

    /// <summary>n sequential <c>await Aio.ToThread(() =&gt; 1)</c>: calls per second.</summary>
    [Workload("exec_to_thread", Runtimes.Aio)]
    public static Measurement ToThreadAio(BenchArgs a)
    {
        int n = a.Int("n", 100_000);
        static async Coroutine<double> RoundTrips(int n)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < n; i++) await Aio.ToThread(One);
            return clock.Elapsed.TotalSeconds;
        }
        Probe.WarmUp(() => Aio.Run(RoundTrips(Math.Max(1, n / 10))));
        double seconds = Aio.Run(RoundTrips(n));
        return new Measurement(n / seconds, "calls/s", new Dictionary<string, object> { ["n"] = n, ["wall_s"] = seconds });
    }

    /// <summary>The same with plain .NET: n sequential <c>await Task.Run(() =&gt; 1)</c>.</summary>
    [Workload("exec_to_thread", Runtimes.ThreadPool)]
    public static Measurement ToThreadTaskRun(BenchArgs a)
    {
        int n = a.Int("n", 100_000);
        static async Task<double> RoundTrips(int n)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < n; i++) await Task.Run(One);
            return clock.Elapsed.TotalSeconds;
        }
        Probe.WarmUp(() => RoundTrips(Math.Max(1, n / 10)).GetAwaiter().GetResult());
        double seconds = Task.Run(() => RoundTrips(n)).GetAwaiter().GetResult();
        return new Measurement(n / seconds, "calls/s", new Dictionary<string, object> { ["n"] = n, ["wall_s"] = seconds });
    }

    /// <summary>16 sieve chunks on ProcessPoolExecutor(2) through <c>RunInExecutor</c>: speed-up over sequential.</summary>
    [Workload("exec_cpu_process", Runtimes.Aio)]
    public static Measurement CpuProcess(BenchArgs a)
    {
        using var pool = new ProcessPoolExecutor(a.Int("workers", 2));
        return CpuSpeedup(a, pool);
    }

    /// <summary>16 sieve chunks on ThreadPoolExecutor(2) through <c>RunInExecutor</c>: speed-up over sequential.</summary>
    [Workload("exec_cpu_thread", Runtimes.Aio)]
    public static Measurement CpuThread(BenchArgs a)
    {
        using var pool = new ThreadPoolExecutor(a.Int("workers", 2));
        return CpuSpeedup(a, pool);
    }

    internal static Measurement CpuSpeedup(BenchArgs a, IExecutor pool)
    {
        int count = a.Int("chunks", 16);
        int size = a.Int("size", 4_000_000);
        int workers = a.Int("workers", 2);
        var chunks = Enumerable.Range(0, count).Select(i => new SieveChunk(i * size, (i + 1) * size)).ToList();

        // Warm both sides up the same way: the JIT in this process, the JIT (and start) of every worker.
        // Here: enough calls for the sieve to be re-compiled optimized, and time for the background compiler to do
        // it, so that the sequential run uses code as good as the workers' (which compile it optimized at once).
        for (int i = 0; i < 100; i++) PrimeSieve.Count(new SieveChunk(0, 10_000));
        Thread.Sleep(300);
        PrimeSieve.Count(new SieveChunk(0, size));
        var clock = Stopwatch.StartNew();
        long sequential = chunks.Sum(PrimeSieve.Count);
        double sequentialSeconds = clock.Elapsed.TotalSeconds;

        static async Coroutine<long> Pooled(IExecutor pool, IEnumerable<SieveChunk> chunks)
        {
            EventLoop loop = Aio.GetRunningLoop();
            var futures = chunks.Select(c => loop.RunInExecutor(pool, PrimeSieve.Count, c)).ToList();
            long total = 0;
            foreach (Future<long> f in futures) total += await f;
            return total;
        }
        // Each warm-up job holds its worker long enough that every worker takes one: a worker still starting
        // when the clock starts would bill its start-up to the measurement.
        static async Coroutine WarmUp(IExecutor pool, SieveChunk chunk, int workers)
        {
            EventLoop loop = Aio.GetRunningLoop();
            var futures = Enumerable.Range(0, workers).Select(_ => loop.RunInExecutor(pool, PrimeSieve.CountAfterPause, chunk)).ToList();
            foreach (Future<long> f in futures) await f;
        }
        Aio.Run(WarmUp(pool, new SieveChunk(0, size), workers));
        // Then warm the sieve inside every worker as it was warmed here: enough calls to be re-compiled optimized,
        // and a pause for the background compiler (a pooled job runs long enough to matter only once it has).
        static async Coroutine WarmWorkers(IExecutor pool)
        {
            EventLoop loop = Aio.GetRunningLoop();
            var futures = Enumerable.Range(0, 200).Select(_ => loop.RunInExecutor(pool, PrimeSieve.Count, new SieveChunk(0, 10_000))).ToList();
            foreach (Future<long> f in futures) await f;
        }
        Aio.Run(WarmWorkers(pool));
        Thread.Sleep(300);
        clock.Restart();
        long pooled = Aio.Run(Pooled(pool, chunks));
        double pooledSeconds = clock.Elapsed.TotalSeconds;
        if (pooled != sequential) throw new InvalidOperationException($"pooled {pooled} != sequential {sequential}");
        return new Measurement(sequentialSeconds / pooledSeconds, "x speed-up", new Dictionary<string, object>
        {
            ["chunks"] = count, ["size"] = size, ["workers"] = workers,
            ["sequential_s"] = sequentialSeconds, ["pooled_s"] = pooledSeconds, ["primes"] = pooled,
        });
    }
}

/// <summary>The numbers <c>[Lo, Hi)</c> a sieve job counts the primes of (a record: it crosses to worker processes as JSON).</summary>
public sealed record SieveChunk(int Lo, int Hi);

/// <summary>A segmented sieve of Eratosthenes, the CPU-bound job of the executor workloads.</summary>
public static class PrimeSieve
{
    /// <summary>Warm-up job: holds its worker for half a second, then counts (which compiles the sieve there).</summary>
    public static long CountAfterPause(SieveChunk chunk)
    {
        Thread.Sleep(500);
        return Count(chunk);
    }

    /// <summary>The number of primes in the chunk: sieve the base primes up to sqrt(Hi), then strike their multiples.</summary>
    public static long Count(SieveChunk chunk)
    {
        int root = (int)Math.Sqrt(chunk.Hi) + 1;
        var baseComposite = new bool[root + 1];
        var segment = new bool[chunk.Hi - chunk.Lo];
        for (int p = 2; p <= root; p++)
        {
            if (baseComposite[p]) continue;
            for (long m = (long)p * p; m <= root; m += p) baseComposite[m] = true;
            long start = Math.Max((long)p * p, (chunk.Lo + p - 1L) / p * p);
            for (long m = start; m < chunk.Hi; m += p) segment[m - chunk.Lo] = true;
        }
        long count = 0;
        for (int i = Math.Max(2, chunk.Lo); i < chunk.Hi; i++)
        {
            if (!segment[i - chunk.Lo]) count++;
        }
        return count;
    }
}
