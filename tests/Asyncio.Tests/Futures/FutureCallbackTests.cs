namespace Asyncio.Tests.Futures;

/// <summary>Done callbacks of futures (behaviours B006–B008).</summary>
public sealed class FutureCallbackTests : IDisposable
{
    private readonly EventLoop _loop = TestLoop.NewVirtual();

    public void Dispose() => _loop.Close();

    // B006
    [Fact]
    public void DoneCallbacks_AreNeverCalledSynchronously_AndRunInRegistrationOrder()
    {
        var bag = new List<object>();
        var f = _loop.CreateFuture<string>();
        f.AddDoneCallback(_ => bag.Add(42));
        f.AddDoneCallback(_ => bag.Add(17));

        f.SetResult("foo");
        Assert.Empty(bag);

        _loop.RunOnce();
        Assert.Equal([42, 17], bag);

        f.AddDoneCallback(_ => bag.Add("late"));
        Assert.Equal([42, 17], bag);

        _loop.RunOnce();
        Assert.Equal([42, 17, "late"], bag);
    }

    // B006
    [Fact]
    public void DoneCallbacks_OnSetExceptionAndCancel_AreScheduledAndReceiveTheFuture()
    {
        var seen = new List<Future>();
        var failed = _loop.CreateFuture<int>();
        var cancelled = _loop.CreateFuture<int>();
        failed.AddDoneCallback(seen.Add);
        cancelled.AddDoneCallback(seen.Add);

        failed.SetException(new ArgumentException("boom"));
        cancelled.Cancel();
        Assert.Empty(seen);

        _loop.RunOnce();
        Assert.Equal<Future>([failed, cancelled], seen);
        Assert.IsType<ArgumentException>(failed.Exception());
    }

    // B007
    [Fact]
    public void DoneCallbacks_JoinTheReadyQueueAtCompletionTime()
    {
        var order = new List<string>();
        var f = _loop.CreateFuture<int>();
        f.AddDoneCallback(_ => order.Add("done-cb"));

        _loop.CallSoon(() => order.Add("A"));
        f.SetResult(1);
        _loop.CallSoon(() => order.Add("B"));
        _loop.CallSoon(_loop.Stop);
        _loop.RunForever();

        Assert.Equal(["A", "done-cb", "B"], order);
    }

    // B008
    [Fact]
    public void RemoveDoneCallback_RemovesEveryRegistrationAndReturnsTheCount()
    {
        var bag = new List<int>();
        Action<Future> cb1 = _ => bag.Add(1);
        Action<Future> cb2 = _ => bag.Add(2);
        Action<Future> cb3 = _ => bag.Add(3);
        var f = _loop.CreateFuture<int>();
        f.AddDoneCallback(cb1);
        f.AddDoneCallback(cb2);

        Assert.Equal(1, f.RemoveDoneCallback(cb2));
        Assert.Equal(0, f.RemoveDoneCallback(cb3));

        f.AddDoneCallback(cb2);
        for (int i = 0; i < 5; i++) f.AddDoneCallback(cb1);
        Assert.Equal(6, f.RemoveDoneCallback(cb1));

        f.SetResult(0);
        _loop.RunOnce();
        Assert.Equal([2], bag);
    }
}
