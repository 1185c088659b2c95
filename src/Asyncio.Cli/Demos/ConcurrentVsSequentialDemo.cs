using System.Diagnostics;

namespace Asyncio.Cli.Demos;

/// <summary>
/// "run coroutines concurrently as asyncio Tasks": awaiting two 2 s sleeps one after the other takes 4 s;
/// wrapping them in tasks first takes 2 s.
/// </summary>
internal sealed class ConcurrentVsSequentialDemo : Demo
{
    public override string Name => "concurrent-tasks";

    public override string Title => "run coroutines concurrently as asyncio Tasks";

    public override int Order => 10;

    public override void Run(TextWriter output)
    {
        output.WriteLine("# awaiting coroutines directly runs them one after the other:");
        double sequential = Timed(output, Sequential(output));
        output.WriteLine($"# output, duration {sequential:0.00} s (Python: 4 s)");
        output.WriteLine("# wrapping them in tasks runs them concurrently:");
        double concurrent = Timed(output, Concurrent(output));
        output.WriteLine($"# output, duration {concurrent:0.00} s (Python: 2 s)");
    }

    private static double Timed(TextWriter output, Coroutine main)
    {
        var clock = Stopwatch.StartNew();
        Aio.Run(main);
        return clock.Elapsed.TotalSeconds;
    }

    private static async Coroutine Sequential(TextWriter output)
    {
        output.WriteLine($"started at {DateTime.Now:HH:mm:ss}");
        await Aio.Sleep(2);
        await Aio.Sleep(2);
        output.WriteLine($"started at {DateTime.Now:HH:mm:ss}");
    }

    private static async Coroutine Concurrent(TextWriter output)
    {
        output.WriteLine($"started at {DateTime.Now:HH:mm:ss}");
        // CreateTask must run inside a running loop, here the one Aio.Run made.
        AioTask task1 = Aio.CreateTask(Aio.Sleep(2));
        AioTask task2 = Aio.CreateTask(Aio.Sleep(2));
        await task1;
        await task2;
        output.WriteLine($"started at {DateTime.Now:HH:mm:ss}");
    }
}
