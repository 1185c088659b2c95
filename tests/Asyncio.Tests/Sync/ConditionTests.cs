namespace Asyncio.Tests.Sync;

/// <summary>asyncio's Condition behaviours B111–B114.</summary>
public class ConditionTests
{
    [Fact] // B111
    public void Wait_WithoutTheLockThrows()
    {
        var cond = new AsyncCondition();
        var e = Assert.Throws<InvalidOperationException>(() => TestLoop.RunVirtual(() => cond.WaitAsync()));
        Assert.Equal("cannot wait on un-acquired lock", e.Message);
    }

    [Fact] // B111
    public void Notify_WithoutTheLockThrows()
    {
        var cond = new AsyncCondition();
        Assert.Equal("cannot notify on un-acquired lock", Assert.Throws<InvalidOperationException>(() => cond.Notify()).Message);
        Assert.Throws<InvalidOperationException>(() => cond.NotifyAll());
    }

    [Fact] // B111
    public void Notify_WakesNWaitersInFifoOrder_WhichReturnOnlyOnceTheyReacquire()
    {
        var loop = TestLoop.NewVirtual();
        var cond = new AsyncCondition();
        var result = new List<int>();
        async Coroutine C(int id)
        {
            using (await cond.AcquireAsync())
            {
                Assert.True(await cond.WaitAsync());
                Assert.True(cond.IsLocked);
                result.Add(id);
            }
        }
        async Coroutine Notify(int n, bool release)
        {
            await cond.AcquireAsync();
            cond.Notify(n);
            if (release) cond.Release();
        }
        for (int i = 1; i <= 3; i++) loop.CreateTask(C(i));
        loop.RunOnce();
        loop.RunUntilComplete(Notify(1, release: true));
        loop.RunOnce();
        loop.RunOnce();
        Assert.Equal(new[] { 1 }, result);
        loop.RunUntilComplete(Notify(2048, release: false));
        loop.RunOnce();
        loop.RunOnce();
        Assert.Equal(new[] { 1 }, result);
        cond.Release();
        for (int i = 0; i < 6; i++) loop.RunOnce();
        Assert.Equal(new[] { 1, 2, 3 }, result);
        loop.Close();
    }

    [Fact] // B111
    public void Condition_OverAGivenLock_SharesIt()
    {
        var l = new AsyncLock();
        var cond = new AsyncCondition(l);
        async Coroutine Main()
        {
            await l.AcquireAsync();
            Assert.True(cond.IsLocked);
            cond.Release();
            Assert.False(l.IsLocked);
        }
        TestLoop.RunVirtual(Main);
    }

    [Fact] // B112
    public void Wait_Cancelled_ReacquiresTheLockBeforeThrowing()
    {
        var cond = new AsyncCondition();
        bool lockedInHandler = false;
        async Coroutine Waiter()
        {
            await cond.AcquireAsync();
            try
            {
                await cond.WaitAsync();
            }
            catch (CancelledError)
            {
                lockedInHandler = cond.IsLocked;
                cond.Release();
                throw;
            }
        }
        async Coroutine Main()
        {
            var t = Aio.CreateTask(Waiter());
            await Aio.Sleep(0);
            await cond.AcquireAsync();
            t.Cancel();
            await Aio.Sleep(0);
            Assert.False(t.IsDone);
            cond.Release();
            await Assert.ThrowsAsync<CancelledError>(async () => await t);
            Assert.True(lockedInHandler);
            Assert.False(cond.IsLocked);
        }
        TestLoop.RunVirtual(Main);
    }

    [Fact] // B112
    public void Wait_CancelledAgainWhileReacquiring_StillReacquires()
    {
        var cond = new AsyncCondition();
        async Coroutine Waiter()
        {
            using (await cond.AcquireAsync()) await cond.WaitAsync();
        }
        async Coroutine Main()
        {
            var t = Aio.CreateTask(Waiter());
            await Aio.Sleep(0);
            await cond.AcquireAsync();
            t.Cancel();
            await Aio.Sleep(0);
            t.Cancel();
            await Aio.Sleep(0);
            Assert.False(t.IsDone);
            cond.Release();
            await Assert.ThrowsAsync<CancelledError>(async () => await t);
            Assert.False(cond.IsLocked);
        }
        TestLoop.RunVirtual(Main);
    }

    [Fact] // B113
    public void WaitFor_ReturnsThePredicatesValueOnceItHolds()
    {
        var loop = TestLoop.NewVirtual();
        var cond = new AsyncCondition();
        string? state = null;
        int calls = 0;
        string? Predicate()
        {
            calls++;
            return state;
        }
        async Coroutine<string> C()
        {
            using (await cond.AcquireAsync()) return await cond.WaitForAsync(Predicate);
        }
        async Coroutine NotifyAll()
        {
            using (await cond.AcquireAsync()) cond.NotifyAll();
        }
        var t = loop.CreateTask(C());
        loop.RunOnce();
        Assert.Equal(1, calls);
        loop.RunUntilComplete(NotifyAll());
        loop.RunOnce();
        loop.RunOnce();
        Assert.False(t.IsDone);
        Assert.Equal(2, calls);
        state = "ready";
        loop.RunUntilComplete(NotifyAll());
        Assert.Equal("ready", loop.RunUntilComplete(t));
        loop.Close();
    }

    [Fact] // B113
    public void WaitFor_DoesNotWaitWhenThePredicateAlreadyHolds()
    {
        var cond = new AsyncCondition();
        async Coroutine<bool> Main()
        {
            using (await cond.AcquireAsync()) return await cond.WaitForAsync(() => true);
        }
        Assert.True(TestLoop.RunVirtual(Main));
    }

    [Fact] // B114
    public void Notify_OfAWaiterCancelledBeforeItResumes_PassesToAnotherWaiter()
    {
        var cond = new AsyncCondition();
        int state = 0;
        async Coroutine Consumer()
        {
            using (await cond.AcquireAsync())
            {
                await cond.WaitForAsync(() => state != 0);
                state--;
            }
        }
        async Coroutine<int> Main()
        {
            var c0 = Aio.CreateTask(Consumer());
            var c1 = Aio.CreateTask(Consumer());
            await Aio.Sleep(0);
            using (await cond.AcquireAsync())
            {
                state++;
                cond.Notify(1);
                c0.Cancel();
            }
            for (int i = 0; i < 10 && state != 0; i++) await Aio.Sleep(0.005);
            c1.Cancel();
            return state;
        }
        Assert.Equal(0, TestLoop.RunVirtual(Main));
    }
}
