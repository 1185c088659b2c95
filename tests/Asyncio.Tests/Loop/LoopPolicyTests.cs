namespace Asyncio.Tests.Loop;

/// <summary>
/// get_running_loop, get_event_loop, set_event_loop and new_event_loop (behaviours B136-B139). Each test
/// runs on its own thread: the installed loop is per thread.
/// </summary>
public class LoopPolicyTests
{
    private static async Coroutine<int> One()
    {
        await Aio.Sleep(0);
        return 1;
    }

    // B136
    [Fact]
    public void GetRunningLoop_OutsideALoopThrows_InsideReturnsIt() => IsolatedThread.Run(() =>
    {
        var error = Assert.Throws<InvalidOperationException>(() => Aio.GetRunningLoop());
        Assert.Equal("no running event loop", error.Message);

        var loop = TestLoop.NewVirtual();
        Assert.Same(loop, loop.RunUntilComplete(Running()));
        Assert.Throws<InvalidOperationException>(() => Aio.GetRunningLoop());
        loop.Close();

        static async Coroutine<EventLoop> Running()
        {
            await Aio.Sleep(0);
            return Aio.GetRunningLoop();
        }
    });

    // B137
    [Fact]
    public void GetEventLoop_InsideACoroutine_ReturnsTheRunningLoop() => IsolatedThread.Run(() =>
    {
        // Even with no loop installed, where GetEventLoop would throw outside.
        Aio.SetEventLoop(null);
        var loop = TestLoop.NewVirtual();
        Assert.True(loop.RunUntilComplete(IsRunningLoop()));
        loop.CallSoon(() =>
        {
            Assert.Same(loop, Aio.GetEventLoop());
            loop.Stop();
        });
        loop.RunForever();
        loop.Close();

        static async Coroutine<bool> IsRunningLoop()
        {
            await Aio.Sleep(0);
            return Aio.GetEventLoop() == Aio.GetRunningLoop();
        }
    });

    // B138: with no loop ever installed on the thread, GetEventLoop creates one, installs it and returns
    // it (Python 3.12's main-thread behaviour, without its DeprecationWarning; .NET has no main thread, so
    // every thread behaves this way, where asyncio raises in other threads).
    [Fact]
    public void GetEventLoop_WithNoLoopEverInstalled_CreatesAndInstallsOne() => IsolatedThread.Run(() =>
    {
        EventLoop loop = Aio.GetEventLoop();
        Assert.Same(loop, Aio.GetEventLoop());
        Assert.False(loop.IsRunning);
        Assert.False(loop.IsClosed);
        Assert.Equal(1, loop.RunUntilComplete(One()));
        loop.Close();
    });

    // B139
    [Fact]
    public void GetEventLoop_AfterSetEventLoopNull_Throws() => IsolatedThread.Run(() =>
    {
        Aio.SetEventLoop(null);
        var error = Assert.Throws<InvalidOperationException>(() => Aio.GetEventLoop());
        Assert.Equal("There is no current event loop in thread 'Worker'.", error.Message);
    });

    // B139
    [Fact]
    public void NewEventLoop_DoesNotInstall_SetEventLoopDoes() => IsolatedThread.Run(() =>
    {
        Aio.SetEventLoop(null);
        EventLoop loop = Aio.NewEventLoop();
        Assert.Throws<InvalidOperationException>(() => Aio.GetEventLoop());
        Aio.SetEventLoop(loop);
        Assert.Same(loop, Aio.GetEventLoop());
        Aio.SetEventLoop(null);
        loop.Close();
    });

    // B139
    [Fact]
    public void GetEventLoop_AfterRun_Throws() => IsolatedThread.Run(() =>
    {
        Assert.Equal(1, Aio.Run(One()));
        Assert.Throws<InvalidOperationException>(() => Aio.GetEventLoop());
    });

    // B139: APIs that fall back to GetEventLoop when no loop runs throw the same error.
    [Fact]
    public void LoopFallbackApis_WithNoLoopInstalled_Throw() => IsolatedThread.Run(() =>
    {
        Aio.SetEventLoop(null);
        Assert.Throws<InvalidOperationException>(() => Aio.EnsureFuture(One()));
        Assert.Throws<InvalidOperationException>(() => Aio.WrapFuture(Task.FromResult(1)));
    });
}
