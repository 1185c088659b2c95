using System.Diagnostics;

namespace Asyncio.Cli.Demos;

/// <summary>
/// CPU-bound work on a ProcessPoolExecutor: a prime sieve cut into chunks, counted in two worker processes
/// through <c>run_in_executor</c>, against the same chunks counted one after another.
/// </summary>
/// <remarks>
/// <code>
/// async def main():
///     chunks = [(i * SIZE, (i + 1) * SIZE) for i in range(16)]
///     start = time.perf_counter()
///     sequential = sum(count_primes(c) for c in chunks)
///     with ProcessPoolExecutor(2) as pool:
///         loop = asyncio.get_running_loop()
///         parallel = sum(await asyncio.gather(*(loop.run_in_executor(pool, count_primes, c) for c in chunks)))
/// </code>
/// The function must be a static method (a module-level function in Python) and its argument and result
/// must cross the process boundary (pickled in Python, JSON here).
/// </remarks>
internal sealed class ProcessPoolDemo : Demo
{
    private const int Chunks = 16;
    private const int Size = 4_000_000;

    public override string Name => "process-pool";

    public override string Title => "ProcessPoolExecutor for CPU-bound work";

    public override int Order => 910;

    public override void Run(TextWriter output)
    {
        List<PrimeRange> chunks = PrimeRange.Chunks(Chunks, Size);
        PrimeRange.CountPrimes(new PrimeRange(0, Size));   // JIT warm-up, as the workers get below

        var clock = Stopwatch.StartNew();
        long sequential = chunks.Sum(PrimeRange.CountPrimes);
        double sequentialSeconds = clock.Elapsed.TotalSeconds;
        output.WriteLine($"sequential: {sequential} primes below {Chunks * Size:N0} in {sequentialSeconds:0.00} s");

        using var pool = new ProcessPoolExecutor(2);
        async Coroutine<long> Main(IEnumerable<PrimeRange> ranges)
        {
            EventLoop loop = Aio.GetRunningLoop();
            var futures = ranges.Select(r => loop.RunInExecutor(pool, PrimeRange.CountPrimes, r)).ToList();
            long total = 0;
            foreach (Future<long> f in futures) total += await f;
            return total;
        }

        // Start both workers (process start and JIT) before timing, as a long-lived pool would be.
        Aio.Run(Main([new PrimeRange(0, Size), new PrimeRange(0, Size)]));
        clock.Restart();
        long parallel = Aio.Run(Main(chunks));
        double parallelSeconds = clock.Elapsed.TotalSeconds;
        output.WriteLine($"ProcessPoolExecutor(2): {parallel} primes in {parallelSeconds:0.00} s");
        output.WriteLine($"speed-up: {sequentialSeconds / parallelSeconds:0.00}x on {Environment.ProcessorCount} cores");
    }
}

/// <summary>The numbers <c>[Start, End)</c> whose primes a worker counts (a record, so it crosses as JSON).</summary>
public sealed record PrimeRange(int Start, int End)
{
    /// <summary><paramref name="count"/> consecutive ranges of <paramref name="size"/> numbers from 0: the cheat sheet's chunks.</summary>
    public static List<PrimeRange> Chunks(int count, int size) =>
        Enumerable.Range(0, count).Select(i => new PrimeRange(i * size, (i + 1) * size)).ToList();

    /// <summary>Counts the primes of the range with a sieve: mark the multiples of each prime up to sqrt(End).</summary>
    public static long CountPrimes(PrimeRange range)
    {
        int limit = (int)Math.Sqrt(range.End);
        var small = new bool[limit + 1];
        var marked = new bool[range.End - range.Start];
        for (int p = 2; p <= limit; p++)
        {
            if (small[p]) continue;
            for (int q = p * p; q <= limit; q += p) small[q] = true;
            long first = Math.Max((long)p * p, ((long)range.Start + p - 1) / p * p);
            for (long q = first; q < range.End; q += p) marked[q - range.Start] = true;
        }
        return Enumerable.Range(range.Start, range.End - range.Start).LongCount(n => n >= 2 && !marked[n - range.Start]);
    }
}
