using System.Diagnostics;
using Asyncio.Greenlets;

namespace Asyncio.Bench.Workloads;

/// <summary>
/// Greenlets: G1 switch round trips, G2 gevent-style spawn + sleep(0) + join, G3 a queue ping-pong between two spawned
/// greenlets, G4 memory per suspended greenlet. The CPython versions (greenlet and gevent) are in bench/py/greenlets.py.
/// </summary>
public static class GreenletWorkloads
{
    private static Measurement PerSecond(int n, double seconds, string unit) =>
        new(n / seconds, unit, new Dictionary<string, object> { ["n"] = n, ["seconds"] = seconds });

    /// <summary>Warms up at a tenth of the size for at least 300 ms, then times one full-size pass.</summary>
    private static async Coroutine<Measurement> Timed(int n, string unit, Func<int, Coroutine> once)
    {
        var warm = Probe.StartWarmUp();
        do await once(Math.Max(1, n / 10)); while (warm.Again());
        long start = Stopwatch.GetTimestamp();
        await once(n);
        return PerSecond(n, Probe.SecondsSince(start), unit);
    }

    // ---------------------------------------------------------------- G1 switch round trips

    /// <summary>G1: the task's main greenlet and an echo greenlet switch a value back and forth <c>--n</c> times (1,000,000).</summary>
    [Workload("G1", Runtimes.Aio)]
    public static Measurement SwitchAio(BenchArgs a) => Aio.Run(Timed(a.Int("n", 1_000_000), "round trips/s", SwitchRoundTrips));

    private static async Coroutine SwitchRoundTrips(int n)
    {
        Greenlet main = Greenlet.Current;
        var echo = new Greenlet(async v =>
        {
            while (true) v = await main.Switch(v);
        });
        object? last = null;
        for (int i = 0; i < n; i++) last = await echo.Switch(i);
        if ((int)last! != n - 1) throw new InvalidOperationException("the echo returned the wrong value");
    }

    // ---------------------------------------------------------------- G2 spawn + sleep(0) + join

    /// <summary>G2: <c>--n</c> (100,000) <see cref="Gevent.Spawn"/>, each <c>await Gevent.Sleep(0)</c> once, then <see cref="Gevent.JoinAll"/>.</summary>
    [Workload("G2", Runtimes.Aio)]
    public static Measurement SpawnAio(BenchArgs a) => Aio.Run(Timed(a.Int("n", 100_000), "greenlets/s", SpawnSleepJoin));

    private static async Coroutine SpawnSleepJoin(int n)
    {
        var greenlets = new GeventGreenlet[n];
        for (int i = 0; i < n; i++) greenlets[i] = Gevent.Spawn(Work, i);
        await Gevent.JoinAll(greenlets);
        if ((int)greenlets[n - 1].Value! != n - 1) throw new InvalidOperationException("a greenlet returned the wrong value");

        static async Coroutine<object?> Work(object? i)
        {
            await Gevent.Sleep(0);
            return i;
        }
    }

    // ---------------------------------------------------------------- G3 queue ping-pong

    /// <summary>G3: two spawned greenlets pass a value back and forth <c>--n</c> times (100,000) over two <see cref="AsyncQueue{T}"/>.</summary>
    [Workload("G3", Runtimes.Aio)]
    public static Measurement QueuePingPongAio(BenchArgs a) => Aio.Run(Timed(a.Int("n", 100_000), "round trips/s", QueuePingPong));

    private static async Coroutine QueuePingPong(int n)
    {
        var ping = new AsyncQueue<int>();
        var pong = new AsyncQueue<int>();
        var pinger = Gevent.Spawn(async _ =>
        {
            for (int i = 0; i < n; i++)
            {
                ping.PutNowait(i);
                if (await pong.GetAsync() != i) throw new InvalidOperationException("out of order");
            }
            return null;
        });
        var ponger = Gevent.Spawn(async _ =>
        {
            for (int i = 0; i < n; i++) pong.PutNowait(await ping.GetAsync());
            return null;
        });
        await Gevent.JoinAll([pinger, ponger], raiseError: true);
    }

    // ---------------------------------------------------------------- G4 memory per suspended greenlet

    /// <summary>
    /// G4: <c>--n</c> (100,000) greenlets, each started and switched out of (suspended in its body), in one task:
    /// managed heap growth per greenlet (<c>GC.GetTotalMemory(true)</c>, the array holding them included), with RSS
    /// growth per greenlet beside it.
    /// </summary>
    [Workload("G4", Runtimes.Aio)]
    public static Measurement MemoryAio(BenchArgs a) => Aio.Run(SuspendedGreenlets(a.Int("n", 100_000)));

    private static async Coroutine<Measurement> SuspendedGreenlets(int n)
    {
        Greenlet main = Greenlet.Current;
        Func<object?, Coroutine<object?>> parked = async _ => await main.Switch();
        await new Greenlet(parked).Switch();  // warms the switch path before the first sample
        Probe.CollectFully();
        long heap0 = GC.GetTotalMemory(forceFullCollection: true);
        long rss0 = Probe.RssBytes();
        var greenlets = new Greenlet[n];
        for (int i = 0; i < n; i++)
        {
            greenlets[i] = new Greenlet(parked);
            await greenlets[i].Switch();
        }
        long heap1 = GC.GetTotalMemory(forceFullCollection: true);
        long rss1 = Probe.RssBytes();
        if (greenlets.Any(g => !g.IsActive)) throw new InvalidOperationException("a greenlet is not suspended");
        GC.KeepAlive(greenlets);
        return new Measurement((heap1 - heap0) / (double)n, "bytes/greenlet", new Dictionary<string, object>
        {
            ["n"] = n,
            ["rss_bytes_per_greenlet"] = (rss1 - rss0) / (double)n,
        });
    }
}
