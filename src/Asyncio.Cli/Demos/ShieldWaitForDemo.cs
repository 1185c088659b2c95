using System.Diagnostics;

namespace Asyncio.Cli.Demos;

/// <summary>
/// The cheat sheet's "await vs wait_for vs shield": <c>wait_for(shield(task), 1)</c> times out, the task is not
/// cancelled and is awaited afterwards.
/// </summary>
internal sealed class ShieldWaitForDemo : Demo
{
    public override string Name => "shield-wait-for";

    public override string Title => "await vs wait_for() vs shield()";

    public override int Order => 60;

    public override void Run(TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        Aio.Run(Example(output));
        output.WriteLine($"(took {clock.Elapsed.TotalSeconds:0.00} s; Python: 2.00 s)");
    }

    private static async Coroutine<int> Delay(TextWriter output, int seconds)
    {
        output.WriteLine($"start sleep {seconds}");
        await Aio.Sleep(seconds);
        output.WriteLine("end sleep");
        return seconds;
    }

    private static async Coroutine Example(TextWriter output)
    {
        AioTask<int> delayTask = Aio.CreateTask(Delay(output, 2));
        try
        {
            int result = await Aio.WaitFor(Aio.Shield(delayTask), 1);
            output.WriteLine($"return value: {result}");
        }
        catch (TimeoutException)
        {
            // Shield does not protect from the timeout (TimeoutException), but it does protect the task from
            // being cancelled: it keeps running and can be awaited.
            output.WriteLine($"whether the task is cancelled: {delayTask.IsCancelled}");
            int result = await delayTask;
            output.WriteLine($"return value: {result}");
        }
    }
}
