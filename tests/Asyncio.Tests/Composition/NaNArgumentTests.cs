namespace Asyncio.Tests.Composition;

/// <summary>
/// A NaN duration or deadline is refused with an <see cref="ArgumentException"/> naming the caller's own parameter
/// (CPython 3.12 accepts NaN in these functions and then times out at once or never; 3.13's <c>sleep</c> raises).
/// </summary>
public class NaNArgumentTests
{
    private static ArgumentException RefusedInALoop(Func<object> call) =>
        TestLoop.RunVirtual(async () =>
        {
            await Aio.Sleep(0);
            return Assert.ThrowsAny<ArgumentException>(call);
        });

    [Fact]
    public void Timeout_NaN_NamesDelay() =>
        Assert.Equal("delay", RefusedInALoop(() => Aio.Timeout(double.NaN, () => Aio.Sleep(0, 0))).ParamName);

    [Fact]
    public void Timeout_WithHandle_NaN_NamesDelay() =>
        Assert.Equal("delay", RefusedInALoop(() => Aio.Timeout(double.NaN, (TimeoutHandle _) => Aio.Sleep(0, 0))).ParamName);

    [Fact]
    public void TimeoutAt_NaN_NamesWhen() =>
        Assert.Equal("when", RefusedInALoop(() => Aio.TimeoutAt(double.NaN, () => Aio.Sleep(0, 0))).ParamName);

    [Fact]
    public void Reschedule_NaN_NamesWhen_AndKeepsTheDeadline()
    {
        var r = TestLoop.RunVirtual(async () => await Aio.TimeoutAt(10, async h =>
        {
            var error = Assert.Throws<ArgumentException>(() => h.Reschedule(double.NaN));
            await Aio.Sleep(0);
            return (error.ParamName, h.When);
        }));
        Assert.Equal(("when", (double?)10), r);
    }

    [Fact]
    public void WaitFor_NaN_NamesTimeout() =>
        Assert.Equal("timeout", RefusedInALoop(() => Aio.WaitFor(Aio.Sleep(0, 0), double.NaN)).ParamName);

    [Fact]
    public void Wait_NaN_NamesTimeout() =>
        Assert.Equal("timeout", RefusedInALoop(() => Aio.Wait(new[] { Aio.CreateTask(Aio.Sleep(0, 0)) }, timeout: double.NaN)).ParamName);

    [Fact]
    public void AsCompleted_NaN_NamesTimeout() =>
        Assert.Equal("timeout", RefusedInALoop(() => Aio.AsCompleted(new[] { Aio.CreateTask(Aio.Sleep(0, 0)) }, timeout: double.NaN)).ParamName);

    [Fact]
    public void Sleep_NaN_NamesSeconds() =>
        Assert.Equal("seconds", RefusedInALoop(() => Aio.Sleep(double.NaN)).ParamName);

    [Fact]
    public void ShutdownDefaultExecutor_NaN_NamesTimeout()
    {
        var r = TestLoop.RunVirtual(async () =>
        {
            EventLoop loop = Aio.GetRunningLoop();
            await loop.RunInExecutor(null, () => 1);
            try
            {
                await loop.ShutdownDefaultExecutorAsync(double.NaN);
                return "no exception";
            }
            catch (ArgumentException error)
            {
                return error.ParamName;
            }
        });
        Assert.Equal("timeout", r);
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e12)]
    [InlineData(-0.001)]
    public void ShutdownDefaultExecutor_InfiniteHugeOrNegativeTimeout_Completes(double timeout)
    {
        var r = TestLoop.RunVirtual(async () =>
        {
            EventLoop loop = Aio.GetRunningLoop();
            await loop.RunInExecutor(null, () => 1);
            await loop.ShutdownDefaultExecutorAsync(timeout);
            return true;
        });
        Assert.True(r);
    }
}
