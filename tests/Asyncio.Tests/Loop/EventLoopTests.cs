namespace Asyncio.Tests.Loop;

/// <summary>The loop's iteration, stop and run semantics (behaviours B118-B120, B124-B126).</summary>
public class EventLoopTests
{
    // B118
    [Fact]
    public void CallSoon_RunsCallbacksInFifoOrderOnceEachWithTheirArguments()
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<string>();
        Handle handle = loop.CallSoon(args => log.Add($"{args.Item1} {args.Item2}"), ("hello", "world"));
        loop.CallSoon(() => log.Add("second"));
        loop.CallSoon(log.Add, "third");
        loop.CallSoon(loop.Stop);
        loop.RunForever();
        loop.RunOnce();

        Assert.Equal(["hello world", "second", "third"], log);
        Assert.NotEqual(default, handle);
        Assert.False(handle.IsCancelled);
        loop.Close();
    }

    // B119
    [Fact]
    public void Iteration_RunsTheSnapshotReadyAtItsStart_StopLetsItFinish()
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<string>();
        loop.CallSoon(() =>
        {
            log.Add("a");
            loop.CallSoon(() => log.Add("a-child"));
        });
        loop.CallSoon(() =>
        {
            log.Add("b");
            loop.Stop();
        });
        loop.CallSoon(() => log.Add("c"));
        loop.RunForever();
        Assert.Equal(["a", "b", "c"], log);

        // What the stopped iteration scheduled stays queued and runs first next time.
        log.Clear();
        loop.CallSoon(loop.Stop);
        loop.RunForever();
        Assert.Equal(["a-child"], log);
        loop.Close();
    }

    // B120
    [Fact]
    public void StopBeforeRunForever_RunsExactlyOneIterationWithoutWaiting()
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<string>();
        bool timerRan = false;
        loop.CallLater(10, () => timerRan = true);
        loop.CallSoon(() => log.Add("1"));
        loop.CallSoon(() => loop.CallSoon(() => log.Add("nested")));
        loop.Stop();
        loop.RunForever();

        Assert.Equal(["1"], log);
        Assert.False(loop.IsRunning);
        // The pre-stopped iteration polls with timeout 0: the virtual clock did not jump to the timer.
        Assert.Equal(0, loop.Time());
        Assert.False(timerRan);
        loop.Close();
    }

    // B124
    [Fact]
    public void RunUntilComplete_ReturnsTheCoroutinesResultOrThrowsItsException()
    {
        static async Coroutine<int> Five()
        {
            await Aio.Sleep(0);
            return 5;
        }

        static async Coroutine<int> Fails()
        {
            await Aio.Sleep(0);
            throw new KeyNotFoundException("k");
        }

        var loop = TestLoop.NewVirtual();
        Assert.Equal(5, loop.RunUntilComplete(Five()));
        var error = Assert.Throws<KeyNotFoundException>(() => loop.RunUntilComplete(Fails()));
        Assert.Equal("k", error.Message);
        loop.Close();
    }

    // B124
    [Fact]
    public void RunUntilComplete_OfAFuture_RunsUntilItIsSet()
    {
        var loop = TestLoop.NewVirtual();
        Future<string> future = loop.CreateFuture<string>();
        loop.CallSoon(() => future.SetResult("result"));
        Assert.Equal("result", loop.RunUntilComplete(future));
        loop.Close();
    }

    // B124
    [Fact]
    public void RunUntilComplete_OfAnotherLoopsFuture_ThrowsArgumentException()
    {
        var loop = TestLoop.NewVirtual();
        var other = TestLoop.NewVirtual();
        Future<int> future = loop.CreateFuture<int>();
        Assert.Throws<ArgumentException>(() => other.RunUntilComplete(future));
        loop.Close();
        other.Close();
    }

    // B124
    [Fact]
    public void RunUntilComplete_LoopStoppedBeforeTheFutureIsDone_Throws()
    {
        var loop = TestLoop.NewVirtual();

        async Coroutine StopThenSleep()
        {
            loop.Stop();
            await Aio.Sleep(1);
        }

        var error = Assert.Throws<InvalidOperationException>(() => loop.RunUntilComplete(StopThenSleep()));
        Assert.Equal("Event loop stopped before Future completed.", error.Message);
        loop.Close();
    }

    // B124 (asyncio's KeyboardInterrupt case: C# has no BaseException; the loop stays reusable after a failure)
    [Fact]
    public void RunUntilComplete_AfterAFailedRun_TheLoopIsReusable()
    {
        static async Coroutine<int> Fails()
        {
            await Aio.Sleep(0);
            throw new InvalidOperationException("interrupt");
        }

        static async Coroutine<int> Five()
        {
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            return 5;
        }

        var loop = TestLoop.NewVirtual();
        Assert.Throws<InvalidOperationException>(() => loop.RunUntilComplete(Fails()));
        Assert.False(loop.IsRunning);
        Assert.Equal(5, loop.RunUntilComplete(Five()));
        loop.Close();
    }

    // B125
    [Fact]
    public void RunUntilComplete_OnTheRunningLoop_ThrowsAndDoesNotScheduleTheCoroutine()
    {
        var loop = TestLoop.NewVirtual();
        bool innerRan = false;

        async Coroutine<int> Inner()
        {
            innerRan = true;
            await Aio.Sleep(0);
            return 1;
        }

        async Coroutine<string> Outer()
        {
            var error = Assert.Throws<InvalidOperationException>(() => loop.RunUntilComplete(Inner()));
            var again = Assert.Throws<InvalidOperationException>(loop.RunForever);
            for (int i = 0; i < 3; i++) await Aio.Sleep(0);
            return $"{error.Message}|{again.Message}";
        }

        Assert.Equal("This event loop is already running|This event loop is already running",
            loop.RunUntilComplete(Outer()));
        Assert.False(innerRan);
        loop.Close();
    }

    // B125
    [Fact]
    public void RunForever_OfAnotherLoopWhileOneRunsOnTheThread_Throws()
    {
        var outer = TestLoop.NewVirtual();
        var inner = TestLoop.NewVirtual();

        async Coroutine<string> RunInner()
        {
            await Aio.Sleep(0);
            return Assert.Throws<InvalidOperationException>(inner.RunForever).Message;
        }

        Assert.Equal("Cannot run the event loop while another loop is running", outer.RunUntilComplete(RunInner()));
        outer.Close();
        inner.Close();
    }

    // B126
    [Fact]
    public void Close_WhileRunning_Throws()
    {
        var loop = TestLoop.NewVirtual();

        async Coroutine<string> CloseFromInside()
        {
            await Aio.Sleep(0);
            return Assert.Throws<InvalidOperationException>(loop.Close).Message;
        }

        Assert.Equal("Cannot close a running event loop", loop.RunUntilComplete(CloseFromInside()));
        Assert.False(loop.IsClosed);
        loop.Close();
    }

    // B126
    [Fact]
    public void Close_IsIdempotent_AndAClosedLoopRefusesToRunOrSchedule()
    {
        static async Coroutine<int> Nothing()
        {
            await Aio.Sleep(0);
            return 0;
        }

        var loop = TestLoop.NewVirtual();
        bool ran = false;
        loop.CallSoon(() => ran = true);
        TimerHandle timer = loop.CallLater(1, () => ran = true);
        loop.Close();
        Assert.False(timer.InHeap); // pending timers are dropped
        loop.Close();
        Assert.True(loop.IsClosed);

        void AssertClosed(Action action) =>
            Assert.Equal("Event loop is closed", Assert.Throws<InvalidOperationException>(action).Message);

        AssertClosed(loop.RunForever);
        AssertClosed(() => loop.RunUntilComplete(Nothing()));
        AssertClosed(() => loop.CallSoon(() => { }));
        AssertClosed(() => loop.CallLater(1, () => { }));
        AssertClosed(() => loop.CallAt(1, () => { }));
        AssertClosed(() => loop.CallSoonThreadsafe(() => { }));
        AssertClosed(() => loop.CreateTask(Nothing()));
        Future<int> future = loop.CreateFuture<int>();
        Assert.False(future.IsDone);
        Assert.False(ran);
    }
}
