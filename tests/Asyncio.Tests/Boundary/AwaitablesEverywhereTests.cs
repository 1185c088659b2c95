namespace Asyncio.Tests.Boundary;

/// <summary>
/// Everything awaitable is accepted wherever a coroutine is, with its result type: sleeps, queue and primitive
/// operations, .NET tasks and value tasks, in CreateTask, EnsureFuture, Gather, Wait, WaitFor, Shield, Timeout,
/// AsCompleted and TaskGroup. The lines are written in the cheat sheet's Python shape.
/// </summary>
public class AwaitablesEverywhereTests
{
    private static async Coroutine<int> Fetch()
    {
        await Aio.Sleep(1);
        return 2;
    }

    [Fact]
    public void CreateTask_OfASleep_RunsTheSleepInATask()
    {
        double at = TestLoop.RunVirtual(async () =>
        {
            var task1 = Aio.CreateTask(Aio.Sleep(2));
            var task2 = Aio.CreateTask(Aio.Sleep(2));
            await task1;
            await task2;
            return Aio.GetRunningLoop().Time();
        });
        Assert.Equal(2.0, at, 6);
    }

    [Fact]
    public void ResultlessAwaitables_AreAcceptedByEveryCombinator()
    {
        double at = TestLoop.RunVirtual(async () =>
        {
            var q = new AsyncQueue<int>();
            await Aio.Gather(Aio.Sleep(1), q.PutAsync(1), Task.Delay(1), new ValueTask());
            Assert.Equal(1, q.Count);
            await Aio.Shield(Aio.Sleep(1));
            await Aio.WaitFor(Aio.Sleep(1), 5.0);
            await Aio.Timeout(5.0, Aio.Sleep(1));
            await Aio.EnsureFuture(Aio.Sleep(1));
            var (done, _) = await Aio.Wait(new Coroutine[] { Aio.Sleep(1), Aio.Sleep(2) });
            Assert.Equal(2, done.Count);
            return Aio.GetRunningLoop().Time();
        });
        Assert.Equal(7.0, at, 6);
    }

    [Fact]
    public void CreateTask_OfAnEventWait_IsATaskOfBool()
    {
        bool result = TestLoop.RunVirtual(async () =>
        {
            var ev = new AsyncEvent();
            AioTask<bool> waiter = Aio.CreateTask(ev.WaitAsync());
            await Aio.Sleep(0);
            ev.Set();
            return await waiter;
        });
        Assert.True(result);
    }

    [Fact]
    public void WaitFor_AQueueGet_ReturnsTheItem()
    {
        int item = TestLoop.RunVirtual(async () =>
        {
            var q = new AsyncQueue<int>();
            Aio.GetRunningLoop().CallLater(0.5, () => q.PutNowait(7));
            return await Aio.WaitFor(q.GetAsync(), 1.0);
        });
        Assert.Equal(7, item);
    }

    [Fact]
    public void WaitFor_AQueueGet_TimesOut_AndWithdrawsTheGetter()
    {
        int left = TestLoop.RunVirtual(async () =>
        {
            var q = new AsyncQueue<int>();
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(q.GetAsync(), 1.0));
            q.PutNowait(1);
            await Aio.Sleep(0);
            return q.Count;
        });
        Assert.Equal(1, left);
    }

    [Fact]
    public void Gather_OfAQueueGetAndACoroutine_IsTyped()
    {
        int[] results = TestLoop.RunVirtual(async () =>
        {
            var q = new AsyncQueue<int>();
            q.PutNowait(1);
            return await Aio.Gather(q.GetAsync(), Fetch());
        });
        Assert.Equal([1, 2], results);
    }

    [Fact]
    public void Gather_OfDotNetTasks_ReturnsTheirResultsInOrder()
    {
        int[] results = TestLoop.RunVirtual(async () =>
            await Aio.Gather(Task.FromResult(1), Task.Run(() => 2), new ValueTask<int>(3).AsTask()));
        Assert.Equal([1, 2, 3], results);
    }

    [Fact]
    public void Gather_OfValueTasks_ReturnsTheirResults()
    {
        int[] results = TestLoop.RunVirtual(async () => await Aio.Gather(new ValueTask<int>(4), new ValueTask<int>(5)));
        Assert.Equal([4, 5], results);
    }

    [Fact]
    public void Wait_OfCoroutines_WrapsThemInTasks()
    {
        int done = TestLoop.RunVirtual(async () =>
        {
            var (finished, pending) = await Aio.Wait(new[] { Fetch(), Fetch() });
            Assert.Empty(pending);
            return finished.Sum(t => t.Result());
        });
        Assert.Equal(4, done);
    }

    [Fact]
    public void Shield_OfAQueueGet_SurvivesTheTimeout()
    {
        int item = TestLoop.RunVirtual(async () =>
        {
            var q = new AsyncQueue<int>();
            Future<int> shielded = Aio.Shield(q.GetAsync());
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(shielded, 0.5));
            q.PutNowait(9);
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            return q.Count;
        });
        Assert.Equal(0, item);
    }

    [Fact]
    public void Timeout_OfAQueueGet_RaisesTimeoutException()
    {
        Assert.Throws<TimeoutException>(() => TestLoop.RunVirtual(async () =>
        {
            var q = new AsyncQueue<int>();
            return await Aio.Timeout(1.0, q.GetAsync());
        }));
    }

    [Fact]
    public void Timeout_OfADotNetTask_ReturnsItsResultInTime()
    {
        int result = TestLoop.RunVirtual(async () => await Aio.Timeout(1.0, Task.FromResult(3)));
        Assert.Equal(3, result);
    }

    [Fact]
    public void AsCompleted_OfDotNetTasks_YieldsEachResult()
    {
        var results = TestLoop.RunVirtual(async () =>
        {
            var seen = new List<int>();
            await foreach (var next in Aio.AsCompleted(new[] { Task.FromResult(1), Task.FromResult(2) })) seen.Add(await next);
            return seen;
        });
        Assert.Equal([1, 2], results.Order());
    }

    [Fact]
    public void EnsureFuture_OfAValueTask_IsATaskWithItsResult()
    {
        int result = TestLoop.RunVirtual(async () => await Aio.EnsureFuture(new ValueTask<int>(6)));
        Assert.Equal(6, result);
    }

    [Fact]
    public void TaskGroup_CreateTask_TakesOperationsSleepsAndDotNetTasks()
    {
        var results = TestLoop.RunVirtual(async () =>
        {
            var q = new AsyncQueue<string>();
            q.PutNowait("item");
            AioTask<string>? get = null;
            AioTask<int>? dotnet = null;
            await TaskGroup.Run(tg =>
            {
                get = tg.CreateTask(q.GetAsync());
                tg.CreateTask(Aio.Sleep(1));
                dotnet = tg.CreateTask(Task.FromResult(5));
            });
            return (get!.Result(), dotnet!.Result(), Aio.GetRunningLoop().Time());
        });
        Assert.Equal(("item", 5, 1.0), results);
    }

    [Fact]
    public void TaskOfAWaitingQueueGet_CancelledBeforeItRuns_WithdrawsTheGetter()
    {
        int left = TestLoop.RunVirtual(async () =>
        {
            var q = new AsyncQueue<int>();
            var get = Aio.CreateTask(q.GetAsync());
            get.Cancel();
            await Assert.ThrowsAsync<CancelledError>(async () => await get);
            q.PutNowait(1);
            await Aio.Sleep(0);
            return q.Count;
        });
        Assert.Equal(1, left);
    }

    [Fact]
    public void TaskOfACompletedQueueGet_CancelledBeforeItRuns_KeepsTheItem()
    {
        int item = TestLoop.RunVirtual(async () =>
        {
            var q = new AsyncQueue<int>();
            q.PutNowait(4);
            var get = Aio.CreateTask(q.GetAsync());
            get.Cancel();
            return await get;
        });
        Assert.Equal(4, item);
    }

    [Fact]
    public void TaskOfADotNetTask_IsNamedAfterTheAwait()
    {
        string repr = TestLoop.RunVirtual(async () =>
        {
            var task = Aio.CreateTask(Task.FromResult(1));
            await task;
            return task.ToString();
        });
        Assert.Contains("coro=<AwaitTask>", repr);
    }
}
