namespace Asyncio.Tests.Composition;

/// <summary>asyncio.shield: B066–B070.</summary>
public class ShieldTests
{
    [Fact] // B066: the cheat sheet's example
    public void Shield_WaitForShieldedTask_TimesOut_TaskKeepsRunning()
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<string>();
        async Coroutine<int> Delay(int seconds)
        {
            log.Add($"start sleep {seconds}");
            await Aio.Sleep(seconds);
            log.Add("end sleep");
            return seconds;
        }
        async Coroutine<int> Main()
        {
            var task = Aio.CreateTask(Delay(2));
            try
            {
                int result = await Aio.WaitFor(Aio.Shield(task), 1);
                log.Add($"return value: {result}");
            }
            catch (TimeoutException)
            {
                log.Add($"whether the task is cancelled: {task.IsCancelled}");
                log.Add($"return value: {await task}");
            }
            var t2 = Aio.CreateTask(Aio.Sleep(0.1, "done"));
            var s = Aio.Shield(t2);
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(s, 0));
            Assert.True(s.IsCancelled);
            Assert.False(t2.IsCancelled);
            Assert.Equal("done", await t2);
            return 0;
        }
        loop.RunUntilComplete(Main());
        Assert.Equal(new[] { "start sleep 2", "whether the task is cancelled: False", "end sleep", "return value: 2" }, log);
        loop.Close();
    }

    [Fact] // result-less work: Shield(Future) / Shield(Coroutine)
    public void Shield_OfAResultlessTask_TimesOutWithoutCancellingIt()
    {
        var loop = TestLoop.NewVirtual();
        bool saved = false;
        async Coroutine Save()
        {
            await Aio.Sleep(2);
            saved = true;
        }
        async Coroutine<int> Main()
        {
            AioTask task = Aio.CreateTask(Save());
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(Aio.Shield(task), 1));
            Assert.False(task.IsCancelled);
            await task;
            await Aio.Shield(Save());
            return 0;
        }
        loop.RunUntilComplete(Main());
        Assert.True(saved);
        loop.Close();
    }

    [Fact] // B067
    public void Shield_CancellingTheAwaitingTask_InnerRunsToCompletion()
    {
        var loop = TestLoop.NewVirtual();
        var waiter = loop.CreateFuture<int>();
        int proof = 0;
        async Coroutine<int> Inner()
        {
            await waiter;
            proof += 1;
            return 0;
        }
        async Coroutine<int> Outer()
        {
            await Aio.Shield(Inner());
            proof += 100;
            return 0;
        }
        async Coroutine<int> Main()
        {
            var o = Aio.CreateTask(Outer());
            await Aio.Sleep(0);
            o.Cancel();
            await Assert.ThrowsAsync<CancelledError>(async () => await o);
            waiter.SetResult(0);
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            return 0;
        }
        loop.RunUntilComplete(Main());
        Assert.Equal(1, proof);
        loop.Close();
    }

    [Fact] // B068
    public void Shield_CancellingTheOuter_DetachesWithoutCancellingInner()
    {
        var loop = TestLoop.NewVirtual();
        var inner = loop.CreateFuture<int>();
        var outer = Aio.Shield(inner);
        loop.RunOnce();
        outer.Cancel();
        loop.RunOnce();
        inner.SetResult(1);
        loop.RunOnce();
        Assert.True(outer.IsCancelled);
        Assert.Equal(1, inner.Result());
        loop.Close();
    }

    [Fact] // B069
    public void Shield_PropagatesInnerOutcome_DoneFutureReturnedItself()
    {
        var loop = TestLoop.NewVirtual();
        var i1 = loop.CreateFuture<int>();
        var o1 = Aio.Shield(i1);
        i1.SetResult(42);
        Assert.Equal(42, loop.RunUntilComplete(o1));
        var i2 = loop.CreateFuture<int>();
        var o2 = Aio.Shield(i2);
        var e = new InvalidOperationException();
        i2.SetException(e);
        loop.RunOnce();
        Assert.Same(e, o2.Exception());
        var i3 = loop.CreateFuture<int>();
        var o3 = Aio.Shield(i3);
        i3.Cancel();
        loop.RunOnce();
        Assert.True(o3.IsCancelled);
        Assert.Same(i1, Aio.Shield(i1));
        loop.Close();
    }

    [Fact] // B070
    public void Shield_CombinedWithGather()
    {
        var loop = TestLoop.NewVirtual();
        Future<int> c1 = loop.CreateFuture<int>(), c2 = loop.CreateFuture<int>();
        Future<int> s1 = Aio.Shield(c1), s2 = Aio.Shield(c2);
        var parent = Aio.Gather(s1, s2);
        loop.RunOnce();
        Assert.True(parent.Cancel());
        loop.RunOnce();
        loop.RunOnce();
        Assert.IsType<CancelledError>(parent.Exception());
        Assert.True(s1.IsCancelled && s2.IsCancelled);
        c1.SetResult(1);
        c2.SetResult(2);

        Future<int> d1 = loop.CreateFuture<int>(), d2 = loop.CreateFuture<int>();
        var gathered = Aio.Gather(d1, d2);
        var outer = Aio.Shield(gathered);
        loop.RunOnce();
        outer.Cancel();
        d1.SetResult(1);
        d2.SetResult(2);
        Assert.Equal(new[] { 1, 2 }, loop.RunUntilComplete(gathered));
        Assert.True(outer.IsCancelled);
        loop.Close();
    }
}
