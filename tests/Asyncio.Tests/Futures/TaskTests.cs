using System.Globalization;
using System.Text.RegularExpressions;

namespace Asyncio.Tests.Futures;

/// <summary>Tasks: scheduling, names, outcomes, current/all tasks, context, repr (behaviours B016–B017, B024, B029–B033).</summary>
public sealed class TaskTests : IDisposable
{
    private readonly EventLoop _loop = TestLoop.NewVirtual();

    public void Dispose() => _loop.Close();

    // B016
    [Fact]
    public void CreateTask_SchedulesTheCoroutineWithoutStartingIt()
    {
        var order = new List<string>();

        async Coroutine Child(int i)
        {
            order.Add($"child{i} start");
            await Aio.Sleep(0);
        }

        async Coroutine Main()
        {
            AioTask t1 = Aio.CreateTask(Child(1));
            AioTask t2 = Aio.CreateTask(Child(2));
            order.Add("main after create");
            await Aio.Sleep(0);
            order.Add("main after sleep0");
            await t1;
            await t2;
        }

        _loop.RunUntilComplete(Main());

        Assert.Equal(["main after create", "child1 start", "child2 start", "main after sleep0"], order);
    }

    // B016
    [Fact]
    public void CreateTask_WithoutARunningLoop_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Aio.CreateTask(Aio.Sleep(0, 1)));

        Assert.Equal("no running event loop", error.Message);
    }

    // B017
    [Fact]
    public void TaskNames_AreTaskNFromOneCounter_OrTheGivenName()
    {
        AioTask<int> t1 = _loop.CreateTask(Aio.Sleep(0, 1));
        AioTask<int> t2 = _loop.CreateTask(Aio.Sleep(0, 2));
        AioTask<int> named = _loop.CreateTask(Aio.Sleep(0, 3), name: "123");

        Assert.True(TaskNumber(t2.Name) > TaskNumber(t1.Name));
        Assert.Equal("123", named.Name);

        t1.Name = "renamed";
        Assert.Equal("renamed", t1.Name);
        Assert.StartsWith("<Task pending name='renamed' coro=<", t1.ToString());

        _loop.RunUntilComplete(t1);
        _loop.RunUntilComplete(t2);
        _loop.RunUntilComplete(named);
    }

    private static int TaskNumber(string name)
    {
        Match match = Regex.Match(name, @"^Task-(\d+)$");
        Assert.True(match.Success, name);
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    // B024
    [Fact]
    public void TaskWhoseCoroutineThrows_FinishesWithThatSameException()
    {
        var e = new ArgumentException("boom");

        async Coroutine<int> Bad()
        {
            await Aio.Sleep(0);
            throw e;
        }

        AioTask<int> t = _loop.CreateTask(Bad());
        var got = Assert.Throws<ArgumentException>(() => _loop.RunUntilComplete(t));

        Assert.Same(e, got);
        Assert.Same(e, t.Exception());
        Assert.Same(e, Assert.Throws<ArgumentException>(() => t.Result()));
        Assert.False(t.IsCancelled);
        Assert.True(t.IsDone);
    }

    // B024
    [Fact]
    public void TaskWhoseCoroutineRaisesCancelledError_EndsCancelled()
    {
        static async Coroutine<int> C()
        {
            await Aio.Sleep(0);
            throw new CancelledError("self-raised");
        }

        AioTask<int> t = _loop.CreateTask(C());
        var error = Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(t));

        Assert.True(t.IsCancelled);
        Assert.Equal("self-raised", error.CancelMessage);
    }

    // B029
    [Fact]
    public void TaskAwaitingItself_FailsWithInvalidOperation()
    {
        AioTask<int>? t = null;

        async Coroutine<int> Test()
        {
            await Aio.Sleep(0);
            return await t!;
        }

        t = _loop.CreateTask(Test());
        var error = Assert.Throws<InvalidOperationException>(() => _loop.RunUntilComplete(t));

        Assert.StartsWith("Task cannot await on itself: <Task ", error.Message);
        Assert.False(t.IsCancelled);
    }

    // B030
    [Fact]
    public void CurrentTaskAndAllTasks_WithoutARunningLoop()
    {
        Assert.Equal("no running event loop", Assert.Throws<InvalidOperationException>(() => Aio.CurrentTask()).Message);
        Assert.Equal("no running event loop", Assert.Throws<InvalidOperationException>(() => Aio.AllTasks()).Message);
        Assert.Null(Aio.CurrentTask(_loop));
    }

    // B030
    [Fact]
    public void CurrentTaskAndAllTasks_InsideATask()
    {
        AioTask? current = null;
        AioTask? currentOfLoop = null;
        IReadOnlySet<AioTask>? all = null;
        AioTask? pending = null;
        AioTask? finished = null;
        var blocker = _loop.CreateFuture();

        async Coroutine Main()
        {
            current = Aio.CurrentTask();
            currentOfLoop = Aio.CurrentTask(_loop);
            pending = Aio.CreateTask(Wait());
            finished = Aio.CreateTask(Aio.Sleep(0, 1));
            await finished;
            all = Aio.AllTasks();
            blocker.SetResult(null);
            await pending;
        }

        async Coroutine Wait() => await blocker;

        AioTask main = _loop.CreateTask(Main());
        _loop.RunUntilComplete(main);

        Assert.Same(main, current);
        Assert.Same(main, currentOfLoop);
        Assert.NotNull(all);
        Assert.Contains(main, all);
        Assert.Contains(pending!, all);
        Assert.DoesNotContain(finished!, all);
        Assert.Equal(2, all.Count);
    }

    // B031
    [Fact]
    public void PendingTaskAtClose_IsReportedAsDestroyedButPending()
    {
        var reports = new List<ExceptionContext>();
        _loop.SetExceptionHandler((_, context) => reports.Add(context));
        var never = _loop.CreateFuture();

        async Coroutine Blocked() => await never;

        AioTask t = _loop.CreateTask(Blocked());
        _loop.RunOnce();
        _loop.Close();

        ExceptionContext report = Assert.Single(reports);
        Assert.Equal("Task was destroyed but it is pending!", report.Message);
        Assert.Equal(["message", "task"], report.Keys);
        Assert.Same(t, report.Task);
    }

    // B032
    [Fact]
    public void Task_RunsInTheContextCopiedAtCreation()
    {
        var cv = new AsyncLocal<string?>();
        string? seenBySub = "unset";
        string? seenBySubLater = null;
        string? mainAfter = null;

        async Coroutine Sub()
        {
            await Aio.Sleep(0);
            seenBySub = cv.Value ?? "nope";
            cv.Value = "sub";
            await Aio.Sleep(0);
            seenBySubLater = cv.Value;
        }

        async Coroutine Main()
        {
            AioTask t = Aio.CreateTask(Sub());
            cv.Value = "yes";
            await t;
            mainAfter = cv.Value;
        }

        _loop.RunUntilComplete(Main());

        Assert.Equal("nope", seenBySub);
        Assert.Equal("sub", seenBySubLater);
        Assert.Equal("yes", mainAfter);
    }

    // B033
    [Fact]
    public void TaskRepr_ShowsEachState()
    {
        var fut = _loop.CreateFuture<int>();

        async Coroutine<int> Waits() => await fut;

        static async Coroutine<int> Fails()
        {
            await Aio.Sleep(0);
            throw new ArgumentException("bad");
        }

        AioTask<int> ok = _loop.CreateTask(Waits(), name: "x");
        AioTask<int> cancelled = _loop.CreateTask(Aio.Sleep(10, 0), name: "c");
        AioTask<int> failed = _loop.CreateTask(Fails(), name: "f");
        _loop.RunOnce();

        Assert.StartsWith("<Task pending name='x' coro=<Waits>", ok.ToString());
        cancelled.Cancel();
        Assert.StartsWith("<Task cancelling name='c' coro=<", cancelled.ToString());

        fut.SetResult(1);
        _loop.RunUntilComplete(ok);
        Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(cancelled));
        Assert.Throws<ArgumentException>(() => _loop.RunUntilComplete(failed));

        Assert.StartsWith("<Task finished name='x' coro=<", ok.ToString());
        Assert.EndsWith("> result=1>", ok.ToString());
        Assert.StartsWith("<Task cancelled name='c' coro=<", cancelled.ToString());
        Assert.StartsWith("<Task finished name='f' coro=<", failed.ToString());
        Assert.EndsWith("> exception=ArgumentException('bad')>", failed.ToString());
    }
}
