namespace Asyncio.Cli.Demos;

/// <summary>"Awaitable vs Future vs Task vs Coroutine".</summary>
internal sealed class AwaitablesDemo : Demo
{
    public override string Name => "awaitables";

    public override string Title => "Awaitable vs Future vs Task vs Coroutine";

    public override int Order => 60;

    public override void Run(TextWriter output) => Aio.Run(Body(output));

    private static readonly List<string> s_ran = new();

    private static async Coroutine<int> C()
    {
        s_ran.Add("c");
        await Aio.Sleep(0);
        return 1;
    }

    private static async Coroutine Body(TextWriter output)
    {
        Coroutine<int> coroutine = C();
        output.WriteLine($"a coroutine is lazy: {coroutine}, body ran: {s_ran.Count > 0}");
        output.WriteLine($"awaiting it runs it in this task: {await coroutine}, body ran: {s_ran.Count > 0}");

        EventLoop loop = Aio.GetRunningLoop();
        Future<string> future = loop.CreateFuture<string>();
        output.WriteLine($"a future is a placeholder for a result: {future}");
        loop.CallLater(0.1, () => future.SetResult("set by a callback"));
        output.WriteLine($"awaiting it waits for the result: {await future}");

        AioTask<int> task = Aio.CreateTask(C(), name: "x");
        output.WriteLine($"a task runs a coroutine concurrently: {task}");
        output.WriteLine($"a task is a future: {task is Future}");
        output.WriteLine($"awaiting it gives the coroutine's result: {await task}");
        output.WriteLine($"done: {task}");
    }
}
