// Runs one scenario under Aio.Run and reports on standard output how it ended; the Ctrl-C tests start this
// program, wait for "ready", and send SIGINT. Exit code: 0 when Aio.Run returned, 130 for KeyboardInterrupt,
// 1 for any other exception.
using Asyncio;

string scenario = args.Length > 0 ? args[0] : "";
if (scenario == "orphan") return LeaveChildRunning();
try
{
    string result = Aio.Run(scenario switch
    {
        "finally" => SleepInTryFinally(),
        "taskgroup" => SleepInTaskGroup(),
        "swallow" => SwallowCancellation(),
        "stuck" => BlockInFinally(),
        _ => throw new ArgumentException($"unknown scenario '{scenario}'"),
    });
    Console.WriteLine($"returned {result}");
    return 0;
}
catch (KeyboardInterrupt interrupt)
{
    Console.WriteLine($"KeyboardInterrupt (inner: {interrupt.InnerException?.GetType().Name})");
    return 130;
}
catch (Exception error)
{
    Console.WriteLine($"failed: {error.GetType().Name}: {error.Message}");
    return 1;
}

static async Coroutine<string> SleepInTryFinally()
{
    try
    {
        Console.WriteLine("ready");
        await Aio.Sleep(3600);
        return "slept";
    }
    finally
    {
        Console.WriteLine("finally ran");
    }
}

static async Coroutine<string> SleepInTaskGroup()
{
    static async Coroutine Child()
    {
        try
        {
            await Aio.Sleep(3600);
        }
        finally
        {
            Console.WriteLine("child finally ran");
        }
    }

    await TaskGroup.Run(async tg =>
    {
        _ = tg.CreateTask(Child());
        await Aio.Sleep(0);
        Console.WriteLine("ready");
        await Aio.Sleep(3600);
    });
    return "group done";
}

static async Coroutine<string> SwallowCancellation()
{
    try
    {
        Console.WriteLine("ready");
        await Aio.Sleep(3600);
        return "slept";
    }
    catch (CancelledError)
    {
        Console.WriteLine("caught");
        return "swallowed";
    }
}

static async Coroutine<string> BlockInFinally()
{
    try
    {
        Console.WriteLine("ready");
        await Aio.Sleep(3600);
        return "slept";
    }
    finally
    {
        Console.WriteLine("cleanup started");
        await Aio.Sleep(3600);
    }
}

// Starts `sleep 300` on a loop that is never closed, prints its pid and returns from Main: the program's exit must
// kill the child (the subprocess tests check that it is gone).
static int LeaveChildRunning()
{
    EventLoop loop = Aio.NewEventLoop();
    AsyncProcess child = loop.RunUntilComplete(Aio.CreateSubprocessExec("sleep", ["300"]));
    Console.WriteLine($"child {child.Pid}");
    return 0;
}
