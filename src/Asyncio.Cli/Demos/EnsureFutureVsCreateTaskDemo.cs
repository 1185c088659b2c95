namespace Asyncio.Cli.Demos;

/// <summary>"ensure_future vs create_task": what each accepts, returns and needs.</summary>
internal sealed class EnsureFutureVsCreateTaskDemo : Demo
{
    public override string Name => "ensure-future";

    public override string Title => "ensure_future vs create_task";

    public override int Order => 20;

    public override void Run(TextWriter output)
    {
        try
        {
            Aio.CreateTask(Answer());
        }
        catch (InvalidOperationException e)
        {
            output.WriteLine($"create_task outside a loop: InvalidOperationException('{e.Message}')");
        }

        // ensure_future may use (and create) this thread's event loop when none is running.
        EventLoop loop = Aio.NewEventLoop();
        Aio.SetEventLoop(loop);
        AioTask<int> wrapped = Aio.EnsureFuture(Answer());
        output.WriteLine($"ensure_future(coroutine) outside a loop: AioTask<int> {wrapped.Name}, loop is this thread's loop: {wrapped.Loop == Aio.GetEventLoop()}");
        output.WriteLine($"run_until_complete -> {loop.RunUntilComplete(wrapped)}");
        Aio.SetEventLoop(null);
        loop.Close();

        Aio.Run(Inside(output));
    }

    private static async Coroutine Inside(TextWriter output)
    {
        AioTask<int> task = Aio.CreateTask(Answer(), name: "answer");
        output.WriteLine($"create_task can name the task: {task.Name}");
        output.WriteLine($"ensure_future(task) is task: {ReferenceEquals(Aio.EnsureFuture(task), task)}");
        AioTask<int> other = Aio.EnsureFuture(Answer());
        output.WriteLine($"ensure_future(coroutine) wraps it in a task: {other}");
        output.WriteLine($"results: {await task}, {await other}");
    }

    private static async Coroutine<int> Answer()
    {
        await Aio.Sleep(0);
        return 42;
    }
}
