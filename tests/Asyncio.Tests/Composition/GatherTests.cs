namespace Asyncio.Tests.Composition;

/// <summary>asyncio.gather: B041–B050.</summary>
public class GatherTests
{
    private static async Coroutine<int> Delay(double seconds)
    {
        await Aio.Sleep(seconds);
        return (int)seconds;
    }

    private static async Coroutine<int> FailAfter(double seconds, Exception error)
    {
        await Aio.Sleep(seconds);
        throw error;
    }

    [Fact] // B041
    public void Gather_ResultsInArgumentOrder_ReturnsFutureImmediately()
    {
        var loop = TestLoop.NewVirtual();
        Future<int> a = loop.CreateFuture<int>(), b = loop.CreateFuture<int>(), c = loop.CreateFuture<int>();
        Future<int[]> g = Aio.Gather(a, b, c);
        b.SetResult(1);
        a.SetResult(2);
        loop.RunOnce();
        Assert.False(g.IsDone);
        c.SetResult(3);
        Assert.Equal(new[] { 2, 1, 3 }, loop.RunUntilComplete(g));
        loop.Close();
    }

    [Fact] // canonical form: await Aio.Gather(Delay(1), Delay(2))
    public void Gather_OfCoroutines_CompilesAndRunsConcurrently()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<(int[], double)> Main()
        {
            double start = loop.Time();
            int[] both = await Aio.Gather(Delay(1), Delay(2));
            return (both, loop.Time() - start);
        }
        var (results, elapsed) = loop.RunUntilComplete(Main());
        Assert.Equal(new[] { 1, 2 }, results);
        Assert.Equal(2, elapsed, 3);
        loop.Close();
    }

    [Fact]
    public void Gather_MixedAwaitablesAndEnumerable_Work()
    {
        int[] r = TestLoop.RunVirtual(async () =>
        {
            AioTask<int> task = Aio.CreateTask(Delay(2));
            var future = Aio.GetRunningLoop().CreateFuture<int>();
            Aio.GetRunningLoop().CallLater(0.5, () => future.SetResult(7));
            int[] mixed = await Aio.Gather<int>(Delay(1), task, future, Task.FromResult(9));
            int[] listed = await Aio.Gather(new List<Coroutine<int>> { Delay(3), Delay(1) });
            return mixed.Concat(listed).ToArray();
        });
        Assert.Equal(new[] { 1, 2, 7, 9, 3, 1 }, r);
    }

    [Fact]
    public void Gather_TupleForm_GivesDifferentlyTypedResults()
    {
        var r = TestLoop.RunVirtual(async () => await Aio.Gather<int, string>(Delay(1), Aio.Sleep(0.5, "x")));
        Assert.Equal((1, "x"), r);
    }

    [Fact]
    public void Gather_OfResultlessCoroutinesAndMixedFutures_Completes()
    {
        var log = new List<string>();
        async Coroutine Step(string name, double seconds)
        {
            await Aio.Sleep(seconds);
            log.Add(name);
        }
        TestLoop.RunVirtual(async () =>
        {
            await Aio.Gather(Step("b", 0.2), Step("a", 0.1));
            AioTask<int> typed = Aio.CreateTask(Delay(1));
            AioTask untyped = Aio.CreateTask(Step("c", 0.5));
            await Aio.Gather(typed, untyped);
            await Aio.Gather(Step("d", 0.1), Delay(1));
            return 0;
        });
        Assert.Equal(new[] { "a", "b", "c", "d" }, log);
    }

    [Fact] // B042
    public void Gather_FirstExceptionPropagates_OtherChildrenKeepRunning()
    {
        var loop = TestLoop.NewVirtual();
        var reports = new List<ExceptionContext>();
        loop.SetExceptionHandler((_, c) => reports.Add(c));
        async Coroutine<int> Main()
        {
            AioTask<int> slow = Aio.CreateTask(Delay(5));
            var e = new InvalidOperationException("e");
            var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await Aio.Gather<int>(FailAfter(0.01, e), slow, FailAfter(1, new KeyNotFoundException())));
            Assert.Same(e, ex);
            Assert.False(slow.IsDone);
            Assert.False(slow.IsCancelled);
            return await slow;
        }
        Assert.Equal(5, loop.RunUntilComplete(Main()));
        loop.Close();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.Empty(reports);
    }

    [Fact] // B043
    public void GatherResults_PutsExceptionsAtTheirPositions()
    {
        var loop = TestLoop.NewVirtual();
        Future<int> a = loop.CreateFuture<int>(), b = loop.CreateFuture<int>(), c = loop.CreateFuture<int>(), d = loop.CreateFuture<int>();
        var g = Aio.GatherResults(a, b, c, d);
        var zde = new DivideByZeroException();
        var rte = new InvalidOperationException();
        b.SetResult(1);
        c.SetException(zde);
        a.SetResult(3);
        loop.RunOnce();
        Assert.False(g.IsDone);
        d.SetException(rte);
        Outcome<int>[] r = loop.RunUntilComplete(g);
        Assert.Equal(3, r[0].Value);
        Assert.Equal(1, r[1].Value);
        Assert.Same(zde, r[2].Exception);
        Assert.Same(rte, r[3].Exception);
        loop.Close();
    }

    [Fact] // B044
    public void Gather_CancelledChild_CompletesOuterWithCancelledErrorException()
    {
        var loop = TestLoop.NewVirtual();
        Future<int> a = loop.CreateFuture<int>(), b = loop.CreateFuture<int>(), c = loop.CreateFuture<int>();
        var g = Aio.Gather(a, b, c);
        a.SetResult(1);
        b.Cancel("child-msg");
        loop.RunOnce();
        Assert.True(g.IsDone);
        Assert.False(g.IsCancelled);
        var error = Assert.IsType<CancelledError>(g.Exception());
        Assert.Equal("child-msg", error.Message);
        Assert.False(c.IsDone);
        loop.Close();
    }

    [Fact] // B045
    public void GatherResults_CancelledChild_GivesCancelledErrorInItsSlot()
    {
        var loop = TestLoop.NewVirtual();
        Future<int> x = loop.CreateFuture<int>(), y = loop.CreateFuture<int>();
        var g = Aio.GatherResults(x, y);
        x.Cancel("m");
        y.SetResult(2);
        Outcome<int>[] r = loop.RunUntilComplete(g);
        Assert.Equal("m", Assert.IsType<CancelledError>(r[0].Exception).Message);
        Assert.Equal(2, r[1].Value);
        Assert.False(g.IsCancelled);
        loop.Close();
    }

    [Fact] // B046
    public void Gather_Cancel_CancelsChildren_OuterEndsWithCancelledErrorButNotCancelled()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            var c1 = Aio.CreateTask(Delay(10));
            var c2 = Aio.CreateTask(Delay(10));
            var g = Aio.Gather(c1, c2);
            await Aio.Sleep(0);
            Assert.True(g.Cancel("stop"));
            Assert.False(g.IsCancelled);
            var error = await Assert.ThrowsAsync<CancelledError>(async () => await g);
            Assert.Equal("stop", error.Message);
            Assert.True(c1.IsCancelled && c2.IsCancelled);
            Assert.False(g.IsCancelled);
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B047
    public void Gather_CancellingTheAwaitingTask_CancelsEveryChild()
    {
        var loop = TestLoop.NewVirtual();
        AioTask<int>? child1 = null, child2 = null;
        Future<int[]>? gatherer = null;
        async Coroutine<int> Outer()
        {
            child1 = Aio.CreateTask(Delay(10));
            child2 = Aio.CreateTask(Delay(10));
            gatherer = Aio.Gather(child1, child2);
            await gatherer;
            return 1;
        }
        async Coroutine<int> Main()
        {
            var f = Aio.CreateTask(Outer());
            await Aio.Sleep(0.1);
            f.Cancel("my message");
            var e = await Assert.ThrowsAsync<CancelledError>(async () => await f);
            Assert.True(child1!.IsCancelled && child2!.IsCancelled);
            Assert.False(gatherer!.Cancel());
            var returnExceptions = Aio.CreateTask(OuterWithResults());
            await Aio.Sleep(0.01);
            returnExceptions.Cancel("my message");
            var e2 = await Assert.ThrowsAsync<CancelledError>(async () => await returnExceptions);
            return 0;
        }
        async Coroutine<int> OuterWithResults()
        {
            await Aio.GatherResults(Delay(1));
            return 1;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B048
    public void Gather_CancelRefused_OnceEveryChildIsDone()
    {
        var loop = TestLoop.NewVirtual();
        var fut = loop.CreateFuture<int>();
        async Coroutine<int> Child() => await fut;
        Future<int[]>? gt = null;
        bool? answer = null;
        Aio.SetEventLoop(loop);
        try
        {
            gt = Aio.Gather(Child());
        }
        finally
        {
            Aio.SetEventLoop(null);
        }
        loop.RunOnce();
        // Registered after the child's wake-up: the child is done when the callback runs, the gather not yet.
        fut.AddDoneCallback(_ => answer = gt.Cancel());
        fut.SetResult(42);
        int[] r = loop.RunUntilComplete(gt);
        Assert.False(answer);
        Assert.False(gt.IsCancelled);
        Assert.Equal(new[] { 42 }, r);
        loop.Close();
    }

    [Fact] // B049
    public void Gather_Empty_IsDoneWithEmptyArray_SameCoroutineRunsOnce()
    {
        var loop = TestLoop.NewVirtual();
        Aio.SetEventLoop(loop);
        try
        {
            var empty = Aio.Gather(Array.Empty<AioTask<int>>());
            Assert.True(empty.IsDone);
            Assert.Empty(empty.Result());
        }
        finally
        {
            Aio.SetEventLoop(null);
        }
        int runs = 0;
        async Coroutine<string> Coro(string s)
        {
            runs++;
            await Aio.Sleep(0);
            return s;
        }
        async Coroutine<string[]> Main()
        {
            var c = Coro("abc");
            return await Aio.Gather(c, c, Coro("def"), c);
        }
        Assert.Equal(new[] { "abc", "abc", "def", "abc" }, loop.RunUntilComplete(Main()));
        Assert.Equal(2, runs);
        var other = TestLoop.NewVirtual();
        Assert.Throws<ArgumentException>(() => Aio.Gather(loop.CreateFuture<int>(), other.CreateFuture<int>()));
        loop.Close();
        other.Close();
    }

    [Fact] // B050
    public void Gather_OfDoneFutures_IsDoneSynchronously()
    {
        var loop = TestLoop.NewVirtual();
        Future<int> f1 = loop.CreateFuture<int>(), f2 = loop.CreateFuture<int>();
        f1.SetResult(1);
        f2.SetResult(2);
        var g = Aio.Gather(f1, f2);
        Assert.True(g.IsDone);
        Assert.Equal(new[] { 1, 2 }, g.Result());
        loop.Close();
    }
}
