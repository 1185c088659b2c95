namespace Asyncio.Tests.Futures;

/// <summary>Futures: states, results, exceptions and cancellation (behaviours B001–B005, B009, B011).</summary>
public sealed class FutureTests : IDisposable
{
    private readonly EventLoop _loop = TestLoop.NewVirtual();

    public void Dispose() => _loop.Close();

    // B001
    [Fact]
    public void PendingFuture_RefusesResultAndException()
    {
        var f = _loop.CreateFuture<int>();

        Assert.False(f.IsDone);
        Assert.False(f.IsCancelled);
        Assert.Throws<InvalidStateError>(() => f.Result());
        Assert.Throws<InvalidStateError>(() => f.Exception());
    }

    // B002
    [Fact]
    public void SetResult_FirstOutcomeWins_LaterSetsThrowAndCancelReturnsFalse()
    {
        var f = _loop.CreateFuture<int>();

        f.SetResult(42);

        Assert.Equal(42, f.Result());
        Assert.Null(f.Exception());
        Assert.Throws<InvalidStateError>(() => f.SetResult(1));
        Assert.Throws<InvalidStateError>(() => f.SetException(new ArgumentException()));
        Assert.False(f.Cancel());
        Assert.False(f.IsCancelled);
        Assert.Equal(42, f.Result());
    }

    // B002
    [Fact]
    public void SetException_ResultRethrowsTheSameExceptionObject()
    {
        var g = _loop.CreateFuture<int>();
        var boom = new ArgumentException("boom");

        g.SetException(boom);

        Assert.Same(boom, Assert.Throws<ArgumentException>(() => g.Result()));
        Assert.Same(boom, g.Exception());
        Assert.False(g.Cancel());
        Assert.Throws<InvalidStateError>(() => g.SetResult(1));
        Assert.Throws<InvalidStateError>(() => g.SetException(new ArgumentException()));
    }

    // B004
    [Fact]
    public void Cancel_PendingFutureBecomesCancelledAndDone()
    {
        var f = _loop.CreateFuture<int>();

        Assert.True(f.Cancel());

        Assert.True(f.IsCancelled);
        Assert.True(f.IsDone);
        Assert.Throws<CancelledError>(() => f.Result());
        Assert.Throws<CancelledError>(() => f.Exception());
        Assert.Throws<InvalidStateError>(() => f.SetResult(1));
        Assert.Throws<InvalidStateError>(() => f.SetException(new ArgumentException()));
        Assert.False(f.Cancel());
    }

    // B004
    [Fact]
    public void CancelWithMessage_RunUntilCompleteRaisesCancelledErrorWithTheMessage()
    {
        var f = _loop.CreateFuture<int>();

        f.Cancel("my msg");

        var error = Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(f));
        Assert.Equal("my msg", error.CancelMessage);
    }

    // B004
    [Fact]
    public void CancelWithoutMessage_CancelledErrorHasNoMessage()
    {
        var f = _loop.CreateFuture<int>();
        var g = _loop.CreateFuture<int>();

        f.Cancel();
        g.Cancel(null);

        Assert.Null(Assert.Throws<CancelledError>(() => f.Result()).CancelMessage);
        Assert.Null(Assert.Throws<CancelledError>(() => g.Result()).CancelMessage);
    }

    // B004
    [Fact]
    public void CancelWithMessage_PlainFutureRedeliversTheMessageOnEveryRetrieval()
    {
        var h = _loop.CreateFuture<int>();

        h.Cancel("5");

        Assert.Equal("5", Assert.Throws<CancelledError>(() => h.Result()).CancelMessage);
        Assert.Equal("5", Assert.Throws<CancelledError>(() => h.Result()).CancelMessage);
        Assert.Equal("5", Assert.Throws<CancelledError>(() => h.Exception()).CancelMessage);
    }

    // B005
    [Fact]
    public void ExceptionHierarchy_MatchesAsyncioMapping()
    {
        // CancelledError is not an ordinary failure: it is .NET's cancellation exception.
        Assert.True(typeof(OperationCanceledException).IsAssignableFrom(typeof(CancelledError)));
        Assert.True(typeof(InvalidOperationException).IsAssignableFrom(typeof(InvalidStateError)));
        Assert.False(typeof(InvalidOperationException).IsAssignableFrom(typeof(CancelledError)));
    }

    // B009
    [Fact]
    public void AwaitDoneFuture_DoesNotSuspend()
    {
        var order = new List<string>();
        var f = _loop.CreateFuture<int>();

        async Coroutine Main()
        {
            f.SetResult(5);
            _loop.CallSoon(() => order.Add("cb"));
            int v = await f;
            order.Add($"awaited {v}");
            await Aio.Sleep(0);
            order.Add("after sleep0");
        }

        _loop.RunUntilComplete(Main());

        Assert.Equal(["awaited 5", "cb", "after sleep0"], order);
    }

    // B011
    [Fact]
    public void AwaitFutureOfAnotherLoop_ThrowsInvalidOperationAtTheAwait()
    {
        var other = TestLoop.NewVirtual();
        var fut = other.CreateFuture<int>();
        string? caught = null;

        async Coroutine<int> Run()
        {
            try
            {
                return await fut;
            }
            catch (InvalidOperationException e)
            {
                caught = e.Message;
                throw;
            }
        }

        try
        {
            Assert.Throws<InvalidOperationException>(() => _loop.RunUntilComplete(Run()));
            Assert.Matches("^Task .* got Future .* attached to a different loop$", caught);
        }
        finally
        {
            other.Close();
        }
    }
}
