namespace Asyncio.Cli.Demos;

/// <summary>"add_done_callback", with and without an extra argument (Python's functools.partial).</summary>
internal sealed class DoneCallbacksDemo : Demo
{
    public override string Name => "done-callbacks";

    public override string Title => "add_done_callback with arguments";

    public override int Order => 30;

    public override void Run(TextWriter output) => Aio.Run(Body(output));

    private static async Coroutine<string> F1()
    {
        await Aio.Sleep(2);
        return "f1";
    }

    private static async Coroutine Body(TextWriter output)
    {
        AioTask<string> task1 = Aio.CreateTask(F1());

        // bind callback1 to task1
        task1.AddDoneCallback(future => output.WriteLine("this is callback1"));

        // bind callback2 with a parameter: a lambda plays functools.partial
        void Callback2(string t1, Future future) => output.WriteLine($"{t1} {((AioTask<string>)future).Result()}");
        task1.AddDoneCallback(future => Callback2("this is param t1", future));

        await task1;
        await Aio.Sleep(0); // callbacks are scheduled with call_soon: give them their turn
    }
}
