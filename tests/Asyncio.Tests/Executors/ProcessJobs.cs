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

    /// <summary>Holds a worker for <paramref name="seconds"/> (0: just long enough to be a job).</summary>
    public static int Hang(int seconds)
    {
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        return seconds;
    }

    /// <summary>Tells the test it runs (<see cref="JobPipe"/>), then blocks for a minute: a worker busy with a job.</summary>
    public static int ReportThenHang(string pipe)
    {
        JobPipe.Report(pipe).Dispose();
        Thread.Sleep(TimeSpan.FromSeconds(60));
        return 60;
    }

    /// <summary>Tells the test it runs, then waits for the test's go-ahead.</summary>
    public static int ReportThenWaitForRelease(string pipe)
    {
        using var connection = JobPipe.Report(pipe);
        connection.ReadByte();
        return 7;
    }

    /// <summary>The pool of <see cref="StartBusyPool"/>, held for the rest of the worker's life.</summary>
    private static ProcessPoolExecutor? s_busyPool;

    /// <summary>
    /// Makes the worker running it a program with a pool of its own, each of whose workers is busy with
    /// <see cref="ReportThenHang"/> (one per pipe); the pool is neither shut down nor disposed. Returns at once.
    /// </summary>
    public static int StartBusyPool(string[] pipes)
    {
        s_busyPool = new ProcessPoolExecutor(maxWorkers: pipes.Length);
        foreach (string pipe in pipes) s_busyPool.Submit(ReportThenHang, pipe);
        return Environment.ProcessId;
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
