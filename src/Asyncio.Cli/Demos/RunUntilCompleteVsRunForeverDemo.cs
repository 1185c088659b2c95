namespace Asyncio.Cli.Demos;

/// <summary>"run_until_complete vs run_forever": the first is the second plus a done callback that stops the loop.</summary>
internal sealed class RunUntilCompleteVsRunForeverDemo : Demo
{
    public override string Name => "run-until-complete";

    public override string Title => "run_until_complete vs run_forever";

    public override int Order => 40;

    public override void Run(TextWriter output)
    {
        EventLoop loop = Aio.NewEventLoop();
        output.WriteLine($"run_until_complete returns the result: {loop.RunUntilComplete(Work(0.1))}");

        // The same by hand: run_forever, stopped by a done callback (asyncio's _run_until_complete_cb).
        AioTask<string> task = loop.CreateTask(Work(0.1));
        task.AddDoneCallback(future => future.Loop.Stop());
        loop.RunForever();
        output.WriteLine($"run_forever stopped by the done callback: {task.Result()}");

        loop.CallLater(0.1, () =>
        {
            output.WriteLine("a call_later callback stops the loop");
            loop.Stop();
        });
        loop.RunForever();
        output.WriteLine($"is_running after stop: {loop.IsRunning}");
        loop.Close();
        output.WriteLine($"is_closed: {loop.IsClosed}");
    }

    private static async Coroutine<string> Work(double seconds)
    {
        await Aio.Sleep(seconds);
        return "done";
    }
}
