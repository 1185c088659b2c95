namespace Asyncio.Tests.Composition;

/// <summary>asyncio.wait_for: B058–B065.</summary>
public class WaitForTests
{
    [Fact] // B058
    public void WaitFor_OnTimeout_CancelsInnerAndWaitsForIt_ThenTimeoutException()
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<string>();
        async Coroutine<int> Inner()
        {
            try
            {
                await Aio.Sleep(10);
            }
            catch (CancelledError)
            {
                log.Add("inner got CancelledError");
                await Aio.Sleep(0.01);
                log.Add("inner cleanup done");
                throw;
            }
            return 1;
        }
        async Coroutine<int> Main()
        {
            var t = Aio.CreateTask(Inner());
            try
            {
                await Aio.WaitFor(t, 0.01);
            }
            catch (TimeoutException e)
            {
                log.Add("TimeoutError");
                Assert.IsType<CancelledError>(e.InnerException);
            }
            Assert.True(t.IsCancelled);
            return 0;
        }
        loop.RunUntilComplete(Main());
        Assert.Equal(new[] { "inner got CancelledError", "inner cleanup done", "TimeoutError" }, log);
        loop.Close();
    }

    [Fact] // B059
    public void WaitFor_NullTimeoutWaitsForever_ResultInTimeWins()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<string> Main()
        {
            string a = await Aio.WaitFor(Aio.Sleep(100, "done"), null);
            var fut = loop.CreateFuture<string>();
            loop.CallSoon(() => fut.SetResult("ok"));
            string b = await Aio.WaitFor(fut, 0.2);
            return a + b;
        }
        Assert.Equal("doneok", loop.RunUntilComplete(Main()));
        loop.Close();
    }

    [Fact] // B060
    public void WaitFor_ZeroTimeout_DoneFutureReturns_CoroutineNeverStarts_RunningTaskCancelled()
    {
        var loop = TestLoop.NewVirtual();
        bool started = false;
        async Coroutine<int> Foo()
        {
            started = true;
            await Aio.Sleep(1);
            return 1;
        }
        async Coroutine<int> Main()
        {
            var done = loop.CreateFuture<string>();
            done.SetResult("ready");
            Assert.Equal("ready", await Aio.WaitFor(done, 0));
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(Foo(), 0));
            var running = Aio.CreateTask(Aio.Sleep(10, 1));
            await Aio.Sleep(0);
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(running, -1));
            Assert.True(running.IsCancelled);
            return 0;
        }
        loop.RunUntilComplete(Main());
        Assert.False(started);
        loop.Close();
    }

    [Fact] // B061
    public void WaitFor_InnerSwallowsCancellation_ReturnsItsValue()
    {
        static async Coroutine<int> Return42()
        {
            try
            {
                await Aio.Sleep(10);
            }
            catch (CancelledError)
            {
                return 42;
            }
            return 0;
        }
        Assert.Equal(42, TestLoop.RunVirtual(() => Aio.WaitFor(Return42(), 0.01)));
    }

    private sealed class FooException : Exception { }

    [Fact] // B062
    public void WaitFor_OtherExceptionDuringCancellation_Wins()
    {
        static async Coroutine<int> Inner()
        {
            try
            {
                await Aio.Sleep(0.2);
            }
            finally
            {
                throw new FooException();
            }
        }
        Assert.Throws<FooException>(() => TestLoop.RunVirtual(async () => await Aio.WaitFor(Aio.CreateTask(Inner()), 0.0001)));
    }

    [Theory] // B063
    [InlineData(null)]
    [InlineData(60.0)]
    public void WaitFor_CancellingTheCaller_CancelsTheInner(double? timeout)
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            var t = Aio.CreateTask(Aio.Sleep(100, 1));
            var w = Aio.CreateTask(Aio.WaitFor(t, timeout));
            loop.CallSoon(() => w.Cancel());
            await Assert.ThrowsAsync<CancelledError>(async () => await w);
            Assert.True(t.IsCancelled);
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B064 (3.12 semantics)
    public void WaitFor_CallerCancelled_InnerSwallowing_ReturnsInnersValue()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Inner()
        {
            for (int i = 0; i < 2; i++)
            {
                try
                {
                    await Aio.Sleep(0.3);
                }
                catch (CancelledError)
                {
                }
            }
            return 42;
        }
        async Coroutine<int> Main()
        {
            var innerTask = Aio.CreateTask(Inner());
            var task = Aio.CreateTask(Aio.WaitFor(innerTask, 0.1));
            await Aio.Sleep(0.2);
            task.Cancel();
            int r = await task;
            Assert.False(task.IsCancelled);
            return r;
        }
        Assert.Equal(42, loop.RunUntilComplete(Main()));
        loop.Close();
    }

    [Fact] // B065
    public void WaitFor_CancellationInTheSameIterationAsCompletion_IsNotLost()
    {
        var loop = TestLoop.NewVirtual();
        bool reached = false;
        async Coroutine<string> Done() => "done";
        async Coroutine<int> Main()
        {
            var inner = Aio.CreateTask(Done());
            async Coroutine<int> Caller()
            {
                await Aio.WaitFor(inner, 100);
                await Aio.Sleep(1);
                reached = true;
                return 0;
            }
            var caller = Aio.CreateTask(Caller());
            await Aio.Sleep(0);
            caller.Cancel();
            await Assert.ThrowsAsync<CancelledError>(async () => await caller);
            Assert.Equal("done", inner.Result());
            return 0;
        }
        loop.RunUntilComplete(Main());
        Assert.False(reached);
        loop.Close();
    }
}
