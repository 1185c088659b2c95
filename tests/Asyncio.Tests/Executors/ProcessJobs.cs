namespace Asyncio.Tests.Executors;

/// <summary>Static methods the process-pool tests run in worker processes (they must be static and JSON-friendly).</summary>
public static class ProcessJobs
{
    public static int Square(int x) => x * x;

    /// <summary>A job with no result (Python's function returning None); it writes a line so it does something.</summary>
    public static void Announce() => Console.WriteLine("announced");

    public static int ProcessId() => Environment.ProcessId;

    public static int Fail(string message) => throw new InvalidDataException(message);

    public static Point Mirror(Point p) => new(p.Y, p.X, p.Label + "!");

    /// <summary>Blocks long enough for a test to kill the worker under it.</summary>
    public static int Hang(int seconds)
    {
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        return seconds;
    }

    /// <summary>The worker dies in the middle of the job (Python's tests use <c>os._exit</c>).</summary>
    public static int ExitAbruptly(int code)
    {
        Environment.Exit(code);
        return code;
    }

    public static int Print(string text)
    {
        Console.WriteLine(text);
        return text.Length;
    }

    public static long CountPrimes(int limit)
    {
        var composite = new bool[limit + 1];
        long count = 0;
        for (int i = 2; i <= limit; i++)
        {
            if (composite[i]) continue;
            count++;
            for (long j = (long)i * i; j <= limit; j += i) composite[j] = true;
        }
        return count;
    }
}

public sealed record Point(int X, int Y, string Label);
