namespace Asyncio.Tests.Futures;

/// <summary>Cancelling tasks: delivery, counting, messages, uncancel (behaviours B019–B023, B025–B028).</summary>
public sealed class TaskCancellationTests : IDisposable
{
    private readonly EventLoop _loop = TestLoop.NewVirtual();

    public void Dispose() => _loop.Close();

    // B019
    [Fact]
    public void Cancel_CancelsTheAwaitedFutureAtOnce_AndDeliversCancelledErrorAtTheAwait()
    {
        var fut = _loop.CreateFuture<int>();
        string? caught = "not caught";

        async Coroutine<int> Body()
        {
            try
            {
                return await fut;
            }
            catch (CancelledError e)
            {
                caught = e.CancelMessage;
                throw;
            }
        }

        AioTask<int> t = _loop.CreateTask(Body());
        _loop.RunOnce();

        Assert.True(t.Cancel("bye"));
        Assert.True(fut.IsCancelled);
        Assert.False(t.IsDone);

        var error = Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(t));
        Assert.Equal("bye", caught);
        Assert.Equal("bye", error.CancelMessage);
        Assert.True(t.IsCancelled);
    }

    // B020
    [Fact]
    public void Cancel_ReturnsTrueOnEveryCallWhilePending_AndCountsEachRequest()
    {
        AioTask<int> t = _loop.CreateTask(Aio.Sleep(10, 0));
        _loop.RunOnce();

        Assert.True(t.Cancel());
        Assert.True(t.Cancel());
        Assert.Equal(2, t.Cancelling());

        Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(t));
        Assert.False(t.Cancel());
        Assert.Equal(2, t.Cancelling());
        Assert.True(t.IsCancelled);
    }

    // B020
    [Fact]
    public void Cancel_OnAFinishedTask_ReturnsFalseAndKeepsTheResult()
    {
        AioTask<int> t2 = _loop.CreateTask(Aio.Sleep(0, 1));
        _loop.RunUntilComplete(t2);

        Assert.False(t2.Cancel());
        Assert.False(t2.IsCancelled);
        Assert.Equal(0, t2.Cancelling());
        Assert.Equal(1, t2.Result());
    }

    // B021
    [Fact]
    public void CatchingCancelledError_LetsTheTaskReturnAValue_CounterStaysAtOne()
    {
        var fut1 = _loop.CreateFuture<int>();

        async Coroutine<int> Body()
        {
            try
            {
                return await fut1;
            }
            catch (CancelledError)
            {
                return 42;
            }
        }

        AioTask<int> t = _loop.CreateTask(Body());
        _loop.RunOnce();
        t.Cancel();

        Assert.Equal(42, _loop.RunUntilComplete(t));
        Assert.False(t.IsCancelled);
        Assert.Equal(1, t.Cancelling());
    }

    // B021
    [Fact]
    public void CatchingCancelledError_TheNextAwaitProceedsNormally()
    {
        var fut2 = _loop.CreateFuture<int>();
        var fut3 = _loop.CreateFuture<int>();

        async Coroutine<int> Body()
        {
            try
            {
                await fut2;
            }
            catch (CancelledError)
            {
            }
            return await fut3;
        }

        AioTask<int> t = _loop.CreateTask(Body());
        _loop.RunOnce();
        t.Cancel();
        _loop.RunOnce();

        Assert.False(fut3.IsCancelled);
        Assert.False(t.IsDone);

        fut3.SetResult(7);
        Assert.Equal(7, _loop.RunUntilComplete(t));
        Assert.False(t.IsCancelled);
        Assert.Equal(1, t.Cancelling());
    }

    // B022
    [Fact]
    public void TaskCancellingItself_TheNextAwaitThrowsAtOnce()
    {
        var log = new List<string>();

        async Coroutine<int> Body()
        {
            Aio.CurrentTask()!.Cancel();
            log.Add("still running");
            await Aio.Sleep(100);
            log.Add("after sleep");
            return 1;
        }

        double start = _loop.Time();
        AioTask<int> t = _loop.CreateTask(Body());

        Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(t));
        Assert.Equal(["still running"], log);
        Assert.True(t.IsCancelled);
        Assert.True(_loop.Time() - start < 1, "the sleep must not wait");
    }

    // B022
    [Fact]
    public void TaskCancellingItselfThenReturning_EndsCancelledAndDiscardsTheValue()
    {
        static async Coroutine<int> Body()
        {
            await Aio.Sleep(0);
            Aio.CurrentTask()!.Cancel();
            return 12;
        }

        AioTask<int> t = _loop.CreateTask(Body());

        Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(t));
        Assert.True(t.IsCancelled);
    }

    // B023
    [Fact]
    public void CancelBeforeTheFirstStep_TheBodyNeverRuns()
    {
        var ran = new List<int>();

        async Coroutine Body()
        {
            ran.Add(1);
            await Aio.Sleep(0);
        }

        AioTask t = _loop.CreateTask(Body());
        t.Cancel("early");

        var error = Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(t));
        Assert.Equal("early", error.CancelMessage);
        Assert.Empty(ran);
        Assert.True(t.IsCancelled);
    }

    // B025
    [Fact]
    public void CancelMessage_ReachesOnlyTheFirstRetrievalOfATasksCancelledError()
    {
        AioTask<int> t = _loop.CreateTask(Aio.Sleep(10, 0));
        _loop.RunOnce();
        t.Cancel("msg");
        while (!t.IsDone) _loop.RunOnce();

        Assert.Equal("msg", Assert.Throws<CancelledError>(() => t.Exception()).CancelMessage);
        Assert.Null(Assert.Throws<CancelledError>(() => t.Exception()).CancelMessage);
        Assert.Null(Assert.Throws<CancelledError>(() => t.Exception()).CancelMessage);
        Assert.Null(Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(t)).CancelMessage);
    }

    // B025
    [Fact]
    public void CancelMessage_ReachesATaskAwaitingTheCancelledTask()
    {
        AioTask<int> t = _loop.CreateTask(Aio.Sleep(10, 0));
        _loop.RunOnce();
        t.Cancel("m2");

        async Coroutine<int> AwaitIt() => await t;

        AioTask<int> waiter = _loop.CreateTask(AwaitIt());

        Assert.Equal("m2", Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(waiter)).CancelMessage);
        Assert.True(waiter.IsCancelled);
    }

    // B026
    [Fact]
    public void Cancel_FollowsTheAwaitChain()
    {
        var fut = _loop.CreateFuture();
        AioTask? inner = null;

        async Coroutine Nested() => await fut;

        async Coroutine Outer() => await inner!;

        inner = _loop.CreateTask(Nested());
        AioTask o = _loop.CreateTask(Outer());
        _loop.RunOnce();
        _loop.RunOnce();
        o.Cancel();

        Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(o));
        Assert.True(o.IsCancelled);
        Assert.True(inner.IsCancelled);
        Assert.True(fut.IsCancelled);
    }

    // B027
    [Fact]
    public void Uncancel_WithdrawsARequest_AndLeavesADoneTaskAlone()
    {
        int cancellingInside = -1;
        int uncancelInside = -1;

        async Coroutine Body()
        {
            try
            {
                await Aio.Sleep(10);
            }
            catch (CancelledError)
            {
                AioTask me = Aio.CurrentTask()!;
                cancellingInside = me.Cancelling();
                uncancelInside = me.Uncancel();
            }
            await Aio.Sleep(10);
        }

        AioTask t = _loop.CreateTask(Body());
        _loop.RunOnce();
        t.Cancel();
        _loop.RunOnce();

        Assert.Equal(1, cancellingInside);
        Assert.Equal(0, uncancelInside);
        Assert.Equal(0, t.Cancelling());
        Assert.False(t.IsDone);
        Assert.DoesNotContain(" cancelling ", t.ToString());
        Assert.StartsWith("<Task pending ", t.ToString());

        t.Cancel();
        Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(t));
        Assert.True(t.IsCancelled);

        Assert.Equal(0, t.Uncancel());
        Assert.True(t.IsCancelled);
        Assert.True(t.IsDone);
        Assert.Equal(0, t.Uncancel());
    }

    // B028
    [Fact]
    public void UncancelToZero_WithdrawsACancelNotYetDelivered()
    {
        var fut = _loop.CreateFuture();

        async Coroutine<int> Body()
        {
            await fut;
            return 42;
        }

        AioTask<int> task = _loop.CreateTask(Body());
        _loop.RunOnce();
        fut.SetResult(null);

        task.Cancel();
        Assert.Equal(1, task.Cancelling());
        task.Uncancel();
        Assert.Equal(0, task.Cancelling());

        Assert.Equal(42, _loop.RunUntilComplete(task));
        Assert.False(task.IsCancelled);
    }

    // B028 (without the uncancel, the request is delivered at the await whose future already finished)
    [Fact]
    public void Cancel_AfterTheAwaitedFutureFinished_IsStillDeliveredAtThatAwait()
    {
        var fut = _loop.CreateFuture();
        bool cancelledAtAwait = false;

        async Coroutine<int> Body()
        {
            try
            {
                await fut;
            }
            catch (CancelledError)
            {
                cancelledAtAwait = true;
                throw;
            }
            return 42;
        }

        AioTask<int> task = _loop.CreateTask(Body());
        _loop.RunOnce();
        fut.SetResult(null);

        Assert.True(task.Cancel());
        Assert.False(fut.IsCancelled);

        Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(task));
        Assert.True(cancelledAtAwait);
        Assert.True(task.IsCancelled);
    }
}
