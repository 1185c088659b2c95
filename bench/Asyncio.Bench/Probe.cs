using System.Diagnostics;
using System.Globalization;

namespace Asyncio.Bench;

/// <summary>What the workloads read from the process: time, memory, and which baseline runs them.</summary>
public static class Probe
{
    /// <summary>Seconds since <paramref name="startTimestamp"/> (from <see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static double SecondsSince(long startTimestamp) => Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;

    /// <summary>Resident set size of this process, from <c>/proc/self/statm</c> (as the reference scripts read it).</summary>
    public static long RssBytes()
    {
        string statm = File.ReadAllText("/proc/self/statm");
        return long.Parse(statm.Split(' ')[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
    }

    /// <summary>
    /// How many times the spawning and composition workloads time their full-size pass, keeping the median: one pass
    /// lasts tens of milliseconds, and on two shared cores a single one swung by 2-3x between runs.
    /// </summary>
    public const int TimedPasses = 5;

    /// <summary>The element of <paramref name="passes"/> with the median <paramref name="key"/>.</summary>
    public static T Median<T>(T[] passes, Func<T, double> key) => passes.OrderBy(key).ElementAt(passes.Length / 2);

    /// <summary>CPU time used by the process so far, in seconds.</summary>
    public static double CpuSeconds()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>
    /// The .NET warm-up: repeats <paramref name="pass"/> (a tenth-size run, as the reference scripts warm up) for at
    /// least <paramref name="milliseconds"/>, at least once. One short pass is not enough for .NET: the runtime
    /// re-compiles hot methods optimized in the background only after they have run a while, so a timed run of a few
    /// milliseconds would otherwise measure the first, unoptimized code. Used alike for aio and plain .NET.
    /// </summary>
    public static void WarmUp(Action pass, int milliseconds = 300)
    {
        WarmUpClock warm = StartWarmUp(milliseconds);
        do
        {
            pass();
        }
        while (warm.Again());
    }

    /// <summary>The same warm-up for async code: <c>var warm = Probe.StartWarmUp(); do await Pass(); while (warm.Again());</c>.</summary>
    /// <param name="milliseconds">The least time the passes run.</param>
    /// <param name="maxMilliseconds">The most time they run while the JIT still compiles.</param>
    /// <param name="pauseMilliseconds">The pause after each pass past the least time, for the background compiler.</param>
    /// <param name="quietPasses">How many passes in a row must compile (almost) nothing before the JIT counts as settled.</param>
    public static WarmUpClock StartWarmUp(int milliseconds = 300, int maxMilliseconds = 5000, int pauseMilliseconds = 50, int quietPasses = 1) =>
        new(milliseconds, maxMilliseconds, pauseMilliseconds, quietPasses);

    /// <summary>Says when a warm-up has run long enough (see <see cref="WarmUp"/>).</summary>
    /// <remarks>
    /// After the minimum time, passes go on while the JIT still compiles (at least 10 new method bodies since the last
    /// pass, in any of the last <c>quietPasses</c> passes), up to the maximum time (5 s by default): on two shared
    /// cores the background compiler can lag the code it optimizes by seconds, and a timed run it overlaps measures
    /// unoptimized code on the side with more code of its own to compile. One quiet pass can be a lull between two
    /// tiers (a method is re-compiled instrumented first, then optimized, each after some calls).
    /// </remarks>
    public sealed class WarmUpClock(int milliseconds, int maxMilliseconds, int pauseMilliseconds, int quietPasses)
    {
        private const int SettledBelow = 10;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        private int _quiet;

        /// <summary>Passes run so far (each call of <see cref="Again"/> ends one).</summary>
        public int Passes { get; private set; }

        /// <summary>True while the warm-up should go on; between passes, gives the background compiler a moment.</summary>
        public bool Again()
        {
            Passes++;
            if (_clock.ElapsedMilliseconds < milliseconds) return true;
            Thread.Sleep(pauseMilliseconds);
            long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            _quiet = compiled - _compiled < SettledBelow ? _quiet + 1 : 0;
            _compiled = compiled;
            return _quiet < quietPasses && _clock.ElapsedMilliseconds < maxMilliseconds;
        }
    }

    /// <summary>A full, compacting collection with finalizers run: the heap holds only what is reachable.</summary>
    public static void CollectFully()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>Collections so far of generations 0, 1 and 2.</summary>
    public static (int Gen0, int Gen1, int Gen2) Collections() =>
        (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    /// <summary>Collections since <paramref name="start"/>, as <c>"gen0/gen1/gen2"</c>.</summary>
    public static string CollectionsSince((int Gen0, int Gen1, int Gen2) start)
    {
        var now = Collections();
        return $"{now.Gen0 - start.Gen0}/{now.Gen1 - start.Gen1}/{now.Gen2 - start.Gen2}";
    }

    /// <summary>
    /// Runs a plain .NET body on the baseline <paramref name="a"/> names: on the thread pool
    /// (<see cref="Runtimes.ThreadPool"/>) or under a <see cref="SingleThreadPump"/> (<see cref="Runtimes.SingleThread"/>).
    /// </summary>
    /// <remarks>
    /// On the thread pool the body starts on the calling thread and its continuations run on pool threads
    /// (no <see cref="SynchronizationContext"/>), which is what a console program gets by default.
    /// </remarks>
    public static Measurement RunDotnet(BenchArgs a, Func<Task<Measurement>> body) =>
        IsSingleThread(a) ? SingleThreadPump.Run(body) : body().GetAwaiter().GetResult();

    /// <summary>True when the workload runs on the <see cref="SingleThreadPump"/>.</summary>
    public static bool IsSingleThread(BenchArgs a) => a.String("runtime", Runtimes.ThreadPool) == Runtimes.SingleThread;
}
