namespace Asyncio.Tests.Composition;

/// <summary>asyncio.wait: B051–B057.</summary>
public class WaitTests
{
    private static async Coroutine<int> Fail(double seconds)
    {
        await Aio.Sleep(seconds);
        throw new DivideByZeroException();
    }

    [Fact] // B051
    public void Wait_ReturnsDoneAndPendingSets_DefaultAllCompleted()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            var a = Aio.CreateTask(Aio.Sleep(0.1, 1));
            var b = Aio.CreateTask(Aio.Sleep(0.15, 2));
            var (done, pending) = await Aio.Wait(new[] { b, a });
            Assert.True(done.SetEquals(new[] { a, b }));
            Assert.Empty(pending);
            Assert.Equal(0.15, loop.Time(), 3);
            var again = await Aio.Wait(new[] { b, a });
            Assert.Equal(2, again.Done.Count);
            Assert.Equal(0.15, loop.Time(), 3);
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B052
    public void Wait_FirstCompleted_MayReportSeveralDone_NeverCancels()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Yields(int n)
        {
            for (int i = 0; i < n; i++) await Aio.Sleep(0);
            return n;
        }
        async Coroutine<int> Main()
        {
            var a = Aio.CreateTask(Aio.Sleep(10, 1));
            var b = Aio.CreateTask(Aio.Sleep(0.1, 2));
            var (done, pending) = await Aio.Wait(new[] { b, a }, returnWhen: ReturnWhen.FirstCompleted);
            Assert.Equal(new[] { b }, done);
            Assert.Equal(new[] { a }, pending);
            Assert.False(a.IsCancelled);
            a.Cancel();
            var c = Aio.CreateTask(Yields(1));
            var d = Aio.CreateTask(Yields(2));
            var second = await Aio.Wait(new[] { c, d }, returnWhen: ReturnWhen.FirstCompleted);
            Assert.Equal(2, second.Done.Count);
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B053
    public void Wait_FirstException_ReturnsAtTheFirstFailure()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            var a = Aio.CreateTask(Aio.Sleep(10, 1));
            var b = Aio.CreateTask(Fail(0.01));
            var (done, pending) = await Aio.Wait(new[] { b, a }, returnWhen: ReturnWhen.FirstException);
            Assert.Equal(new[] { b }, done);
            Assert.Equal(new[] { a }, pending);
            Assert.Equal(0.01, loop.Time(), 3);
            a.Cancel();
            var c = Aio.CreateTask(Aio.Sleep(0.1, 1));
            var d = Aio.CreateTask(Aio.Sleep(0.2, 2));
            var all = await Aio.Wait(new[] { c, d }, returnWhen: ReturnWhen.FirstException);
            Assert.Equal(2, all.Done.Count);
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B054
    public void Wait_Timeout_NeverRaisesNeverCancels()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            var a = Aio.CreateTask(Aio.Sleep(0.1, 1));
            var b = Aio.CreateTask(Aio.Sleep(0.15, 2));
            var (done, pending) = await Aio.Wait(new[] { b, a }, timeout: 0.11);
            Assert.Equal(new[] { a }, done);
            Assert.Equal(new[] { b }, pending);
            Assert.False(b.IsCancelled);
            Assert.False(b.IsDone);
            Assert.Equal(0.11, loop.Time(), 3);
            return await b;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B055
    public void Wait_EmptyOrInvalidArguments_Throw_DuplicatesCountOnce()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            // The calls are made only to see their arguments rejected: the coroutines are not meant to run.
#pragma warning disable AIO001
            Assert.Throws<ArgumentException>(() => { _ = Aio.Wait(Array.Empty<AioTask<int>>()); });
            var t = Aio.CreateTask(Aio.Sleep(0.1, 1));
            Assert.Throws<ArgumentException>(() => { _ = Aio.Wait(new[] { t }, returnWhen: (ReturnWhen)(-1)); });
#pragma warning restore AIO001
            var (done, _) = await Aio.Wait(new[] { t, t, t });
            Assert.True(done.Count == 1);
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B056: coroutines are rejected by type (Wait takes futures only); a lazy sequence is accepted.
    public void Wait_AcceptsAGeneratedSequenceOfTasks()
    {
        int n = TestLoop.RunVirtual(async () =>
        {
            var (done, _) = await Aio.Wait(Enumerable.Range(0, 3).Select(i => Aio.CreateTask(Aio.Sleep(0.01, i))));
            return done.Count;
        });
        Assert.Equal(3, n);
    }

    [Fact] // B057
    public void Wait_CancellingTheWaiter_LeavesTheFuturesAlone()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            var t = Aio.CreateTask(Aio.Sleep(10, 1));
            var w = Aio.CreateTask(Aio.Wait(new[] { t }));
            await Aio.Sleep(0);
            w.Cancel();
            await Assert.ThrowsAsync<CancelledError>(async () => await w);
            Assert.False(t.IsCancelled);
            Assert.False(t.IsDone);
            t.Cancel();
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }
}
