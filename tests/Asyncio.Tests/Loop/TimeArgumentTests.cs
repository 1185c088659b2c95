using Asyncio.Tests.Executors;

namespace Asyncio.Tests.Loop;

/// <summary>
/// Timeouts and delays that are meaningless (NaN, negative timeouts) are refused at the call, naming the
/// parameter; delays too long for a wait or for the virtual clock behave as very long, never as errors on
/// the loop thread or a helper thread.
/// </summary>
public class TimeArgumentTests
{
    /// <summary>A loop running on the system clock, stopped from another thread after <paramref name="milliseconds"/>.</summary>
    private static void RunFor(EventLoop loop, int milliseconds)
    {
        var stopper = new Thread(() =>
        {
            Thread.Sleep(milliseconds);
            loop.CallSoonThreadsafe(loop.Stop);
        });
        stopper.Start();
        loop.RunForever();
        Assert.True(stopper.Join(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void ShutdownDefaultExecutorAsync_WithNaNTimeout_ThrowsAtTheCall()
    {
        var loop = TestLoop.NewVirtual();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => loop.ShutdownDefaultExecutorAsync(double.NaN));
        Assert.Equal("timeout", error.ParamName);
        loop.Close();
    }

    [Fact]
    public void ShutdownDefaultExecutorAsync_WithNegativeTimeSpan_DoesNotWait()
    {
        var loop = TestLoop.NewVirtual();
        loop.RunUntilComplete(loop.ShutdownDefaultExecutorAsync(TimeSpan.FromSeconds(-1)));
        loop.Close();
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e300)]
    [InlineData(30 * 86400.0)]
    public void ShutdownDefaultExecutorAsync_WithAnEndlessTimeout_WaitsForTheThreadsWithoutWarning(double timeout)
    {
        var log = new List<string>();

        async Coroutine<int> Main()
        {
            EventLoop loop = Aio.GetRunningLoop();
            int answer = await loop.RunInExecutor(null, () => 42);
            await loop.ShutdownDefaultExecutorAsync(timeout);
            return answer;
        }

        var loop = Aio.NewEventLoop();
        loop.Logger = new ListLogger(log);
        Assert.Equal(42, loop.RunUntilComplete(Main()));
        loop.Close();
        Assert.Empty(log);
    }

    [Fact]
    public void ShutdownDefaultExecutorAsync_WithInfiniteTimeSpan_WaitsForTheThreads()
    {
        async Coroutine<int> Main()
        {
            EventLoop loop = Aio.GetRunningLoop();
            int answer = await loop.RunInExecutor(null, () => 7);
            await loop.ShutdownDefaultExecutorAsync(Timeout.InfiniteTimeSpan);
            return answer;
        }

        var loop = Aio.NewEventLoop();
        Assert.Equal(7, loop.RunUntilComplete(Main()));
        loop.Close();
    }

    [Fact]
    public void CallLaterAndCallAt_WithNaN_NameTheParameter()
    {
        var loop = TestLoop.NewVirtual();
        Assert.Equal("delay", Assert.Throws<ArgumentException>(() => loop.CallLater(double.NaN, () => { })).ParamName);
        Assert.Equal("when", Assert.Throws<ArgumentException>(() => loop.CallAt(double.NaN, () => { })).ParamName);
        loop.Close();
    }

    [Theory]
    [InlineData(30 * 86400.0)] // past the longest single wait (about 24 days)
    [InlineData(1e12)]         // past TimeSpan's range
    [InlineData(1e300)]
    public void CallLater_WithADelayTooLongForOneWait_OnTheSystemClock_LeavesTheLoopWaiting(double delay)
    {
        var loop = Aio.NewEventLoop();
        bool ran = false;
        loop.CallLater(delay, () => ran = true);
        RunFor(loop, 50);

        Assert.False(ran);
        loop.Close();
    }

    [Theory]
    [InlineData(1e12)] // past the virtual clock's range (about 292 years)
    [InlineData(1e300)]
    [InlineData(double.PositiveInfinity)]
    public void CallLater_WithADelayPastTheVirtualClocksRange_NeverRunsAndLeavesTimeAlone(double delay)
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<string>();
        loop.CallLater(1, log.Add, "one second");
        loop.CallLater(delay, log.Add, "never");
        RunFor(loop, 50);

        Assert.Equal(["one second"], log);
        Assert.Equal(1.0, loop.Time());
        loop.Close();
    }

    [Fact]
    public void VirtualTimeProviderAdvance_PastItsRange_Throws()
    {
        var clock = new VirtualTimeProvider();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.MaxValue));
        Assert.Equal("delta", error.ParamName);
        Assert.Equal(0, clock.GetTimestamp());
    }

    [Fact]
    public void VirtualTimeProviderTimer_DuePastItsRange_NeverFires()
    {
        var clock = new VirtualTimeProvider();
        bool fired = false;
        using ITimer timer = clock.CreateTimer(_ => fired = true, null, TimeSpan.MaxValue, Timeout.InfiniteTimeSpan);
        clock.Advance(TimeSpan.FromDays(365));

        Assert.False(fired);
    }
}
