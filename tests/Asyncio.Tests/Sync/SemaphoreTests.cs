namespace Asyncio.Tests.Sync;

/// <summary>asyncio's Semaphore behaviours B115–B116.</summary>
public class SemaphoreTests
{
    private static async Coroutine<bool> Acquire(AsyncSemaphore s)
    {
        await s.AcquireAsync();
        return true;
    }

    [Fact] // B115
    public void Semaphore_WithANegativeValueThrows()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncSemaphore(-1));
        Assert.Contains("Semaphore initial value must be >= 0", e.Message);
    }

    [Fact] // B115
    public void Semaphore_WithValueZeroIsLocked() => Assert.True(new AsyncSemaphore(0).IsLocked);

    [Fact] // B115
    public void Release_MayRaiseTheValueAboveTheInitialOne()
    {
        var s = new AsyncSemaphore(2);
        async Coroutine Main()
        {
            await s.AcquireAsync();
            await s.AcquireAsync();
            Assert.True(s.IsLocked);
        }
        TestLoop.RunVirtual(Main);
        s.Release();
        s.Release();
        s.Release();
        Assert.Equal(3, s.Value);
        Assert.False(s.IsLocked);
    }

    [Fact] // B115
    public void BoundedSemaphore_ReleasedTooManyTimesThrows()
    {
        var e = Assert.Throws<SemaphoreFullException>(() => new AsyncBoundedSemaphore(1).Release());
        Assert.Equal("BoundedSemaphore released too many times", e.Message);
    }

    [Fact] // B116
    public void Acquire_IsFifoAcrossTasks()
    {
        var s = new AsyncSemaphore(1);
        var result = new List<string>();
        async Coroutine C(string name)
        {
            for (int round = 1; round <= 2; round++)
            {
                using (await s.AcquireAsync())
                {
                    result.Add($"{name}_{round}");
                    await Aio.Sleep(0.01);
                }
            }
        }
        async Coroutine Main()
        {
            var tasks = new[] { Aio.CreateTask(C("c1")), Aio.CreateTask(C("c2")), Aio.CreateTask(C("c3")) };
            foreach (var t in tasks) await t;
        }
        TestLoop.RunVirtual(Main);
        Assert.Equal(new[] { "c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2" }, result);
    }

    [Fact] // B116
    public void Release_ToACancelledWaiterWakesTheNextOne()
    {
        var s = new AsyncSemaphore(0);
        async Coroutine Main()
        {
            var t1 = Aio.CreateTask(Acquire(s));
            var t2 = Aio.CreateTask(Acquire(s));
            await Aio.Sleep(0);
            t1.Cancel();
            s.Release();
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            Assert.True(t1.IsCancelled);
            Assert.True(t2.IsDone);
            Assert.True(s.IsLocked);
        }
        TestLoop.RunVirtual(Main);
    }

    [Fact] // B116
    public void Acquire_AGrantedWaiterCancelledBeforeRunning_GivesTheUnitBack()
    {
        var s = new AsyncSemaphore(0);
        async Coroutine Main()
        {
            var t1 = Aio.CreateTask(Acquire(s));
            var t2 = Aio.CreateTask(Acquire(s));
            await Aio.Sleep(0);
            s.Release();
            t1.Cancel();
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            Assert.True(t1.IsCancelled);
            Assert.True(t2.IsDone);
            Assert.Equal(0, s.Value);
        }
        TestLoop.RunVirtual(Main);
    }

    [Fact] // B116
    public void Release_HandsTheUnitToTheWaiter_ANewcomerStaysBlocked()
    {
        var s = new AsyncSemaphore(1);
        async Coroutine Main()
        {
            await s.AcquireAsync();
            var w = Aio.CreateTask(Acquire(s));
            await Aio.Sleep(0);
            s.Release();
            Assert.True(s.IsLocked);
            Assert.Equal(0, s.Value);
            var newcomer = Aio.CreateTask(Acquire(s));
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            Assert.True(w.IsDone);
            Assert.False(newcomer.IsDone);
            s.Release();
            Assert.True(await newcomer);
        }
        TestLoop.RunVirtual(Main);
    }

    [Fact]
    public void ToString_ShowsValueAndWaiters() => Assert.Equal("<AsyncSemaphore [unlocked, value:2]>", new AsyncSemaphore(2).ToString());
}
