using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Asyncio.Bench.Micro;

/// <summary>
/// Proves that <c>CallSoon</c> with a static callback and a state argument, its <see cref="Handle"/> discarded,
/// allocates nothing: one operation schedules <see cref="Callbacks"/> callbacks and runs the loop iteration
/// that calls them. The <c>Allocated</c> column must read <c>-</c> (zero).
/// <c>dotnet run -c Release --project bench/Asyncio.Bench -- --bdn --filter '*CallSoon*'</c>
/// </summary>
[Config(typeof(ShortInProcess))]
public class CallSoonAllocation
{
    /// <summary>Callbacks per operation.</summary>
    public const int Callbacks = 1000;

    /// <summary>A short run (3 warm-ups, 3 measured iterations) in this process, with the memory diagnoser.</summary>
    private sealed class ShortInProcess : ManualConfig
    {
        public ShortInProcess()
        {
            AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }

    private EventLoop _loop = null!;
    private readonly Counter _counter = new();

    /// <summary>The state the callbacks share.</summary>
    private sealed class Counter
    {
        public long Calls;
    }

    /// <summary>Cached once, like any static lambda: scheduling it creates no delegate.</summary>
    private static readonly Action<Counter> s_count = static c => c.Calls++;

    [GlobalSetup]
    public void Setup()
    {
        _loop = Aio.NewEventLoop();
        // Grows the ready queue to its working size, so the measured operations never resize it.
        ScheduleAndRunOnce();
    }

    [GlobalCleanup]
    public void Cleanup() => _loop.Close();

    /// <summary>Schedules <see cref="Callbacks"/> callbacks, then runs one loop iteration that calls them all.</summary>
    [Benchmark(OperationsPerInvoke = Callbacks)]
    public void ScheduleAndRunOnce()
    {
        for (int i = 0; i < Callbacks; i++) _loop.CallSoon(s_count, _counter);
        // A stop requested before RunForever makes it run exactly one iteration.
        _loop.Stop();
        _loop.RunForever();
    }
}
