using System.Collections.Concurrent;

namespace Asyncio.Orleans.Tests;

/// <summary>Static methods the tests send to the silos (in process, so the silos see the tests' statics).</summary>
public static class Jobs
{
    /// <summary>Gates that <see cref="WaitForGate"/> jobs block on, by name; the test opens them.</summary>
    public static readonly ConcurrentDictionary<string, ManualResetEventSlim> Gates = new();

    /// <summary>Names of the <see cref="WaitForGate"/> jobs that have started, with the silo running each.</summary>
    public static readonly ConcurrentDictionary<string, string> Started = new();

    /// <summary>Names of the <see cref="Idempotent"/> runs, with their counts.</summary>
    public static readonly ConcurrentDictionary<string, int> Runs = new();

    /// <summary>How many times <see cref="Touch"/> ran.</summary>
    private static int s_touched;

    public static int Touched => Volatile.Read(ref s_touched);

    public static int Square(int x) => x * x;

    public static void Touch() => Interlocked.Increment(ref s_touched);

    public static string Hello() => "hello";

    public static Point Move(Point p) => p with { X = p.X + 1, Y = p.Y + 1 };

    public static int Fail(string message) => throw new InvalidOperationException(message);

    public static long CountPrimes(int below)
    {
        long count = 0;
        for (int n = 2; n < below; n++)
        {
            bool prime = true;
            for (int d = 2; d * d <= n; d++) if (n % d == 0) { prime = false; break; }
            if (prime) count++;
        }
        return count;
    }

    /// <summary>Blocks until the gate <paramref name="name"/> opens (at most 30 s: nothing may hang).</summary>
    public static string WaitForGate(string name)
    {
        Started.TryAdd(name, SiloJobRunner.t_currentSilo ?? "?");
        Gates.GetOrAdd(name, _ => new ManualResetEventSlim()).Wait(TimeSpan.FromSeconds(30));
        return name;
    }

    /// <summary>Blocks for <paramref name="seconds"/> (in a worker process, where no test can open a gate).</summary>
    public static double Block(double seconds)
    {
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        return seconds;
    }

    /// <summary>Blocks on its gate on the first run, returns at once on a retry.</summary>
    [IdempotentJob]
    public static string Idempotent(string name)
    {
        if (Runs.AddOrUpdate(name, 1, (_, n) => n + 1) == 1) return WaitForGate(name);
        return name + " again";
    }
}

public sealed record Point(int X, int Y);
