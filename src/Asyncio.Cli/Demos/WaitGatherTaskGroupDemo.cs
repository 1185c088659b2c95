using System.Diagnostics;

namespace Asyncio.Cli.Demos;

/// <summary>
/// The cheat sheet's "wait vs gather vs TaskGroup": wait's (done, pending), gather's groups with
/// return_exceptions, cancelling a gathered group, and TaskGroup's results and error group.
/// </summary>
internal sealed class WaitGatherTaskGroupDemo : Demo
{
    public override string Name => "wait-gather-taskgroup";

    public override string Title => "wait vs gather vs TaskGroup";

    public override int Order => 61;

    /// <summary>Python's ValueError, so that the output reads as the Python's does.</summary>
    private sealed class ValueError(string message) : Exception(message);

    public override void Run(TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        Aio.Run(Example(output));
        output.WriteLine($"(took {clock.Elapsed.TotalSeconds:0.00} s; Python: 0.60 s of sleeps)");
    }

    private static async Coroutine<string> F1()
    {
        await Aio.Sleep(0.1);
        return "f1";
    }

    private static async Coroutine<string> F2()
    {
        await Aio.Sleep(0.2);
        throw new ValueError("f2 failed");
    }

    private static async Coroutine<T> SomeCoro<T>(T x)
    {
        await Aio.Sleep(0.1);
        return x;
    }

    private static string Repr(Exception e) => $"{e.GetType().Name}('{e.Message}')";

    private static async Coroutine Example(TextWriter output)
    {
        // wait: low level; results are read from the done set.
        var tasks = Enumerable.Range(0, 3).Select(i => Aio.CreateTask(SomeCoro(i))).ToList();
        var (done, pending) = await Aio.Wait(tasks);
        output.WriteLine($"wait results: [{string.Join(", ", done.Select(d => d.Result()).Order())}] pending: {pending.Count}");

        // gather: groups of children, gathered again with return_exceptions.
        Future<string[]> group1 = Aio.Gather(F1(), F1());
        Future<string[]> group2 = Aio.Gather(F2(), F2());
        Outcome<string[]>[] allGroups = await Aio.GatherResults(group1, group2);
        var shown = allGroups.Select(o => o.IsSuccess ? $"[{string.Join(", ", o.Value.Select(s => $"'{s}'"))}]" : Repr(o.Exception!));
        output.WriteLine($"gather groups: [{string.Join(", ", shown)}]");

        // gather can cancel a whole group.
        Future<string[]> group3 = Aio.Gather(F1(), F1());
        output.WriteLine($"group3.cancel(): {group3.Cancel()}");
        try
        {
            await group3;
        }
        catch (CancelledError)
        {
            output.WriteLine("group3 raised CancelledError");
        }

        // TaskGroup: recommended over create_task() + gather().
        AioTask<string>? task1 = null, task2 = null;
        await TaskGroup.Run(tg =>
        {
            task1 = tg.CreateTask(SomeCoro("a"));
            task2 = tg.CreateTask(SomeCoro("b"));
        });
        output.WriteLine($"Both tasks have completed now: {task1!.Result()}, {task2!.Result()}");

        AioTask<string>? t3 = null;
        try
        {
            await TaskGroup.Run(tg =>
            {
                t3 = tg.CreateTask(F1());
                tg.CreateTask(F2());
            });
        }
        catch (ExceptionGroup eg)
        {
            var errors = eg.Exceptions.OfType<ValueError>().Select(e => $"\"{Repr(e)}\"");
            output.WriteLine($"TaskGroup raised: [{string.Join(", ", errors)}] f1 done: {t3!.Result()}");
        }
    }
}
