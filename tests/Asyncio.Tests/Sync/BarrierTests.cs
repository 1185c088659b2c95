namespace Asyncio.Tests.Sync;

/// <summary>asyncio's Barrier behaviours: B117.</summary>
public class BarrierTests
{
    [Fact] // B117
    public void Barrier_WithLessThanOnePartyThrows()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncBarrier(0));
        Assert.Contains("parties must be > 0", e.Message);
    }

    [Fact] // B117
    public void Wait_ReleasesAllOnceFullEachWithADistinctIndex()
    {
        var b = new AsyncBarrier(3);
        async Coroutine<int[]> Main()
        {
            var tasks = Enumerable.Range(0, 2).Select(_ => Aio.CreateTask(b.WaitAsync())).ToList();
            await Aio.Sleep(0);
            Assert.Equal(2, b.NWaiting);
            Assert.Equal("<AsyncBarrier [filling, waiters:2/3]>", b.ToString());
            tasks.Add(Aio.CreateTask(b.WaitAsync()));
            var indices = new int[3];
            for (int i = 0; i < 3; i++) indices[i] = await tasks[i];
            return indices;
        }
        int[] got = TestLoop.RunVirtual(Main);
        Assert.Equal(new[] { 0, 1, 2 }, got.Order());
        Assert.Equal(0, b.NWaiting);
        Assert.False(b.IsBroken);
        Assert.Equal(3, b.Parties);
    }

    [Fact] // B117
    public void Wait_CanBeReusedAfterATrip()
    {
        var b = new AsyncBarrier(2);
        async Coroutine<int> Twice()
        {
            int a = await b.WaitAsync();
            int c = await b.WaitAsync();
            return a + c;
        }
        async Coroutine<int> Main()
        {
            var t1 = Aio.CreateTask(Twice());
            var t2 = Aio.CreateTask(Twice());
            return await t1 + await t2;
        }
        Assert.Equal(2, TestLoop.RunVirtual(Main));
    }

    [Fact] // B117
    public void Abort_BreaksCurrentAndFutureWaiters()
    {
        var b = new AsyncBarrier(3);
        async Coroutine Main()
        {
            var t = Aio.CreateTask(b.WaitAsync());
            await Aio.Sleep(0);
            await b.AbortAsync();
            var e = await Assert.ThrowsAsync<BrokenBarrierError>(async () => await t);
            Assert.Equal("Abort or reset of barrier", e.Message);
            Assert.True(b.IsBroken);
            var later = await Assert.ThrowsAsync<BrokenBarrierError>(async () => await b.WaitAsync());
            Assert.Equal("Barrier aborted", later.Message);
        }
        TestLoop.RunVirtual(Main);
    }

    [Fact] // B117
    public void Reset_BreaksCurrentWaitersThenTheBarrierWorksAgain()
    {
        var b = new AsyncBarrier(2);
        async Coroutine Main()
        {
            var t = Aio.CreateTask(b.WaitAsync());
            await Aio.Sleep(0);
            await b.ResetAsync();
            await Assert.ThrowsAsync<BrokenBarrierError>(async () => await t);
            Assert.False(b.IsBroken);
            var t1 = Aio.CreateTask(b.WaitAsync());
            var t2 = Aio.CreateTask(b.WaitAsync());
            Assert.Equal(1, await t1 + await t2);
        }
        TestLoop.RunVirtual(Main);
    }

    [Fact] // B117
    public void Wait_CancelledWaiterLeavesTheCount_ReplacementsStillTrip()
    {
        var b = new AsyncBarrier(2);
        async Coroutine Main()
        {
            var t = Aio.CreateTask(b.WaitAsync());
            await Aio.Sleep(0);
            Assert.Equal(1, b.NWaiting);
            t.Cancel();
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            Assert.Equal(0, b.NWaiting);
            var t1 = Aio.CreateTask(b.WaitAsync());
            var t2 = Aio.CreateTask(b.WaitAsync());
            Assert.Equal(1, await t1 + await t2);
        }
        TestLoop.RunVirtual(Main);
    }
}
