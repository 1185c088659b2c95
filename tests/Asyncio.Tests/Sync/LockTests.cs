namespace Asyncio.Tests.Sync;

/// <summary>asyncio's Lock behaviours B106–B108.</summary>
public class LockTests
{
    private static async Coroutine<bool> Acquire(AsyncLock l)
    {
        await l.AcquireAsync();
        return true;
    }

    [Fact] // B106
    public void Acquire_ReturnsAndLocks_ReleaseUnlocks()
    {
        var l = new AsyncLock();
        Assert.False(l.IsLocked);
        Assert.True(TestLoop.RunVirtual(() => Acquire(l)));
        Assert.True(l.IsLocked);
        l.Release();
        Assert.False(l.IsLocked);
    }

    [Fact] // B106
    public void Release_OfAnUnlockedLockThrows()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new AsyncLock().Release());
        Assert.Equal("Lock is not acquired.", e.Message);
    }

    [Fact] // B106
    public void Using_ReleasesTheLockOnLeavingTheBlock()
    {
        var l = new AsyncLock();
        async Coroutine<bool> Main()
        {
            using (await l.AcquireAsync())
            {
                Assert.True(l.IsLocked);
            }
            return l.IsLocked;
        }
        Assert.False(TestLoop.RunVirtual(Main));
    }

    [Fact] // B107
    public void Acquire_WaitersGetTheLockInFifoOrder()
    {
        var loop = TestLoop.NewVirtual();
        var l = new AsyncLock();
        var result = new List<int>();
        async Coroutine C(int id)
        {
            await l.AcquireAsync();
            result.Add(id);
        }
        loop.RunUntilComplete(Acquire(l));
        var t1 = loop.CreateTask(C(1));
        var t2 = loop.CreateTask(C(2));
        loop.RunOnce();
        Assert.Empty(result);
        l.Release();
        loop.RunOnce();
        Assert.Equal(new[] { 1 }, result);
        loop.RunOnce();
        Assert.Equal(new[] { 1 }, result);
        var t3 = loop.CreateTask(C(3));
        loop.RunOnce();
        l.Release();
        loop.RunOnce();
        Assert.Equal(new[] { 1, 2 }, result);
        l.Release();
        loop.RunOnce();
        Assert.Equal(new[] { 1, 2, 3 }, result);
        Assert.True(t1.IsDone && t2.IsDone && t3.IsDone);
        loop.Close();
    }

    [Fact] // B107
    public void Acquire_DoesNotBargeAheadOfAWokenWaiter()
    {
        var l = new AsyncLock();
        var order = new List<string>();
        async Coroutine Waiter()
        {
            using (await l.AcquireAsync()) order.Add("waiter got lock");
        }
        async Coroutine Main()
        {
            await l.AcquireAsync();
            var w = Aio.CreateTask(Waiter());
            await Aio.Sleep(0);
            l.Release();
            using (await l.AcquireAsync()) order.Add("barger got lock");
            await w;
        }
        TestLoop.RunVirtual(Main);
        Assert.Equal(new[] { "waiter got lock", "barger got lock" }, order);
    }

    [Fact] // B108
    public void Acquire_AWokenWaiterCancelledBeforeRunning_DoesNotStrandTheLock()
    {
        var l = new AsyncLock();
        async Coroutine Main()
        {
            var ta = Aio.CreateTask(Acquire(l));
            await Aio.Sleep(0);
            Assert.True(l.IsLocked);
            var tb = Aio.CreateTask(Acquire(l));
            await Aio.Sleep(0);
            var tc = Aio.CreateTask(Acquire(l));
            tb.Cancel();
            l.Release();
            await Aio.Sleep(0);
            Assert.True(l.IsLocked);
            Assert.True(tb.IsCancelled);
            Assert.True(await tc);
        }
        TestLoop.RunVirtual(Main);
    }

    [Fact] // B108
    public void Acquire_WaiterWokenThenCancelled_PassesTheLockToTheNext()
    {
        var l = new AsyncLock();
        async Coroutine Main()
        {
            await l.AcquireAsync();
            var tb = Aio.CreateTask(Acquire(l));
            var tc = Aio.CreateTask(Acquire(l));
            await Aio.Sleep(0);
            l.Release();
            tb.Cancel();
            await Aio.Sleep(0);
            Assert.True(tb.IsCancelled);
            Assert.True(await tc);
            Assert.True(l.IsLocked);
        }
        TestLoop.RunVirtual(Main);
    }

    [Fact] // B108
    public void Acquire_CancelledQueuedWaiterIsSkipped()
    {
        var l = new AsyncLock();
        async Coroutine Main()
        {
            await l.AcquireAsync();
            var tb = Aio.CreateTask(Acquire(l));
            var tc = Aio.CreateTask(Acquire(l));
            await Aio.Sleep(0);
            tb.Cancel();
            await Aio.Sleep(0);
            l.Release();
            Assert.True(await tc);
            Assert.True(tb.IsCancelled);
        }
        TestLoop.RunVirtual(Main);
    }

    [Fact]
    public void Acquire_OfAFreeLockDoesNotAllocate()
    {
        var l = new AsyncLock();
        static async Coroutine<long> Run(AsyncLock l)
        {
            using (await l.AcquireAsync()) { }
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                using (await l.AcquireAsync()) { }
            }
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(0, TestLoop.RunVirtual(() => Run(l)));
    }

    [Fact]
    public void Acquire_FromAForeignAsyncMethodInsideATask_Works()
    {
        var l = new AsyncLock();
        async Task<bool> Foreign()
        {
            using (await l.AcquireAsync()) return l.IsLocked;
        }
        async Coroutine<bool> Main()
        {
            await l.AcquireAsync();
            var t = Aio.CreateTask(Acquire2());
            await Aio.Sleep(0);
            l.Release();
            return await t;
        }
        async Coroutine<bool> Acquire2() => await Foreign();
        Assert.True(TestLoop.RunVirtual(Main));
        Assert.False(l.IsLocked);
    }

    [Fact] // B104
    public void Lock_UsedToWaitOnASecondLoop_IsBoundToTheFirst()
    {
        var l = new AsyncLock();
        var first = TestLoop.NewVirtual();
        first.RunUntilComplete(Acquire(l));
        var waiter = first.CreateTask(Acquire(l));
        first.RunOnce();
        l.Release();
        first.RunUntilComplete(waiter);
        first.Close();
        var second = TestLoop.NewVirtual();
        var e = Assert.Throws<InvalidOperationException>(() => second.RunUntilComplete(Acquire(l)));
        Assert.EndsWith("is bound to a different event loop", e.Message);
        second.Close();
    }

    [Fact]
    public void Acquire_AwaitedTwiceThrows()
    {
        var l = new AsyncLock();
        async Coroutine Main()
        {
            await l.AcquireAsync();
            LoopAwaitable<Releaser> pending = l.AcquireAsync();
            Aio.GetRunningLoop().CallSoon(l.Release);
            await pending;
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await pending);
        }
        TestLoop.RunVirtual(Main);
    }

    [Fact]
    public void ToString_ShowsStateAndWaiters()
    {
        var l = new AsyncLock();
        Assert.Equal("<AsyncLock [unlocked]>", l.ToString());
    }
}
