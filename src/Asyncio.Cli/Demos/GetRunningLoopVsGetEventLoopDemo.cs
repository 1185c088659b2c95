namespace Asyncio.Cli.Demos;

/// <summary>"get_running_loop vs get_event_loop".</summary>
internal sealed class GetRunningLoopVsGetEventLoopDemo : Demo
{
    public override string Name => "get-event-loop";

    public override string Title => "get_running_loop vs get_event_loop";

    public override int Order => 50;

    public override void Run(TextWriter output)
    {
        var thread = new Thread(() => Show(output)); // a fresh thread: no loop set on it yet
        thread.Start();
        thread.Join();
    }

    private static void Show(TextWriter output)
    {
        try
        {
            Aio.GetRunningLoop();
        }
        catch (InvalidOperationException e)
        {
            output.WriteLine($"get_running_loop raises error if there's no running loop: InvalidOperationException('{e.Message}')");
        }
        EventLoop created = Aio.GetEventLoop();
        output.WriteLine($"get_event_loop creates one if none exists: {created}");
        output.WriteLine($"... and returns the same one next time: {ReferenceEquals(created, Aio.GetEventLoop())}");
        created.RunUntilComplete(Inside(output, created));
        created.Close();
    }

    private static async Coroutine Inside(TextWriter output, EventLoop expected)
    {
        await Aio.Sleep(0);
        output.WriteLine($"inside a coroutine both return the running loop: {Aio.GetRunningLoop() == expected && Aio.GetEventLoop() == expected}");
    }
}
