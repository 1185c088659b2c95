using System.Diagnostics;

namespace Asyncio.Cli.Demos;

/// <summary>
/// "asyncio with queue": two producers and two consumers sharing a bounded queue; <c>TaskDone</c> and
/// <c>JoinAsync</c> tell when every item has been processed. The Python version is in docs/sync-and-queues.md.
/// </summary>
internal sealed class QueueDemo : Demo
{
    public override string Name => "queue";

    public override string Title => "asyncio with queue";

    public override int Order => 60;

    public override void Run(TextWriter output)
    {
        // A first pass on virtual time compiles the code, so that JIT pauses do not reorder the real run.
        Aio.Run(RunAsync(TextWriter.Null), virtualTime: true);
        Aio.Run(RunAsync(output));
    }

    private static async Coroutine Producer(TextWriter output, string name, AsyncQueue<string> q, int n, double delay)
    {
        for (int i = 0; i < n; i++)
        {
            string item = $"{name}-{i}";
            await q.PutAsync(item);
            output.WriteLine($"{name} put {item}");
            await Aio.Sleep(delay);
        }
    }

    private static async Coroutine Consumer(TextWriter output, string name, AsyncQueue<string> q, double delay)
    {
        while (true)
        {
            string item = await q.GetAsync();
            await Aio.Sleep(delay);
            output.WriteLine($"{name} done {item}");
            q.TaskDone();
        }
    }

    private static async Coroutine RunAsync(TextWriter output)
    {
        var q = new AsyncQueue<string>(maxSize: 2);
        long t0 = Stopwatch.GetTimestamp();
        var consumers = Enumerable.Range(0, 2)
            .Select(i => Aio.CreateTask(Consumer(output, $"consumer-{i}", q, 0.031 + 0.012 * i)))
            .ToList();
        var a = Aio.CreateTask(Producer(output, "A", q, 3, 0.011));
        var b = Aio.CreateTask(Producer(output, "B", q, 3, 0.017));
        await a;
        await b;
        await q.JoinAsync();
        foreach (var c in consumers) c.Cancel();
        output.WriteLine($"all items processed in {Stopwatch.GetElapsedTime(t0).TotalSeconds:F2} s");
    }
}
