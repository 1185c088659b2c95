namespace Asyncio.Tests.Sync;

/// <summary>asyncio's Event behaviours B109–B110.</summary>
public class EventTests
{
    [Fact] // B109
    public void Set_WakesAllWaitersWhichResumeInTheLoopsFifoOrder()
    {
        var loop = TestLoop.NewVirtual();
        var ev = new AsyncEvent();
        var result = new List<int>();
        async Coroutine C(int id)
        {
            Assert.True(await ev.WaitAsync());
            result.Add(id);
        }
        var t1 = loop.CreateTask(C(1));
        var t2 = loop.CreateTask(C(2));
        loop.RunOnce();
        Assert.Empty(result);
        var t3 = loop.CreateTask(C(3));
        ev.Set();
        loop.RunOnce();
        Assert.Equal(new[] { 3, 1, 2 }, result);
        Assert.True(t1.IsDone && t2.IsDone && t3.IsDone);
        loop.Close();
    }

    [Fact] // B109
    public void Wait_OnASetEventReturnsWithoutYielding()
    {
        var log = new List<string>();
        async Coroutine Main()
        {
            var ev = new AsyncEvent();
            ev.Set();
            Aio.GetRunningLoop().CallSoon(() => log.Add("cb"));
            Assert.True(await ev.WaitAsync());
            log.Add("wait returned");
            await Aio.Sleep(0);
        }
        TestLoop.RunVirtual(Main);
        Assert.Equal(new[] { "wait returned", "cb" }, log);
    }

    [Fact] // B110
    public void SetThenClear_BeforeTheWaitersRun_StillWakesThem()
    {
        var loop = TestLoop.NewVirtual();
        var ev = new AsyncEvent();
        async Coroutine<bool> C() => await ev.WaitAsync();
        var t = loop.CreateTask(C());
        loop.RunOnce();
        ev.Set();
        ev.Clear();
        Assert.False(ev.IsSet);
        loop.RunOnce();
        Assert.True(t.IsDone);
        Assert.True(t.Result());
        Assert.Equal("<AsyncEvent [unset]>", ev.ToString());
        loop.Close();
    }

    [Fact] // B110
    public void Set_OnASetEventDoesNothing()
    {
        var ev = new AsyncEvent();
        ev.Set();
        ev.Set();
        Assert.True(ev.IsSet);
    }

    [Fact] // B109
    public void Wait_CancelledLeavesTheWaiters()
    {
        var loop = TestLoop.NewVirtual();
        var ev = new AsyncEvent();
        async Coroutine<bool> C() => await ev.WaitAsync();
        var t = loop.CreateTask(C());
        loop.RunOnce();
        Assert.Equal("<AsyncEvent [unset, waiters:1]>", ev.ToString());
        t.Cancel();
        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.Equal("<AsyncEvent [unset]>", ev.ToString());
        loop.Close();
    }
}
