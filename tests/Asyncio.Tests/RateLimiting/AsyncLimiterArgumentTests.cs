namespace Asyncio.Tests.RateLimiting;

/// <summary>
/// The limiter refuses numbers that would break its bucket: NaN (every comparison false: no limit, for good),
/// negative amounts (they add capacity), infinities, and a rate or period that is not a positive finite number.
/// </summary>
public class AsyncLimiterArgumentTests
{
    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-1.0)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void AcquireAsync_NaNNegativeOrInfiniteAmount_ThrowsArgumentOutOfRangeNamingAmount(double amount)
    {
        var limiter = new AsyncLimiter(5, 1);
        var error = TestLoop.RunVirtual(async () =>
        {
            await Aio.Sleep(0);
            return Assert.Throws<ArgumentOutOfRangeException>(() => limiter.AcquireAsync(amount));
        });
        Assert.Equal("amount", error.ParamName);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-1.0)]
    [InlineData(double.PositiveInfinity)]
    public void HasCapacityAndTryAcquire_BadAmount_ThrowArgumentOutOfRangeNamingAmount(double amount)
    {
        var limiter = new AsyncLimiter(5, 1);
        var names = TestLoop.RunVirtual(async () =>
        {
            await Aio.Sleep(0);
            return (Assert.Throws<ArgumentOutOfRangeException>(() => limiter.HasCapacity(amount)).ParamName,
                    Assert.Throws<ArgumentOutOfRangeException>(() => limiter.TryAcquire(amount)).ParamName);
        });
        Assert.Equal(("amount", "amount"), names);
    }

    [Fact]
    public void AcquireAsync_AmountAboveMaxRate_StillThrowsArgumentException_AsAiolimiter()
    {
        var limiter = new AsyncLimiter(5, 1);
        var error = TestLoop.RunVirtual(async () =>
        {
            await Aio.Sleep(0);
            return Assert.Throws<ArgumentException>(() => limiter.AcquireAsync(6));
        });
        Assert.Equal("amount", error.ParamName);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-100.0)]
    public void RefusedAmount_LeavesTheLimitInForce(double amount)
    {
        // 5 per second: after a burst of 5, the sixth waits 0.2 s, the tenth 1 s.
        var limiter = new AsyncLimiter(5, 1);
        double lastEntry = TestLoop.RunVirtual(async () =>
        {
            Assert.ThrowsAny<ArgumentException>(() => limiter.AcquireAsync(amount));
            double start = Aio.GetRunningLoop().Time();
            for (int i = 0; i < 10; i++) await limiter.AcquireAsync();
            return Aio.GetRunningLoop().Time() - start;
        });
        Assert.Equal(1.0, lastEntry, 3);
    }

    [Fact]
    public void AcquireAsync_ZeroAmount_CompletesAtOnceWhenTheBucketIsFull()
    {
        var limiter = new AsyncLimiter(1, 1);
        double waited = TestLoop.RunVirtual(async () =>
        {
            await limiter.AcquireAsync();
            double start = Aio.GetRunningLoop().Time();
            await limiter.AcquireAsync(0);
            return Aio.GetRunningLoop().Time() - start;
        });
        Assert.Equal(0.0, waited);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_MaxRateNotPositiveFinite_ThrowsArgumentOutOfRangeNamingMaxRate(double maxRate) =>
        Assert.Equal("maxRate", Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncLimiter(maxRate, 1)).ParamName);

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_TimePeriodNotPositiveFinite_ThrowsArgumentOutOfRangeNamingTimePeriod(double timePeriod) =>
        Assert.Equal("timePeriod", Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncLimiter(5, timePeriod)).ParamName);

    [Fact]
    public void Constructor_ZeroTimeSpan_ThrowsArgumentOutOfRangeNamingTimePeriod() =>
        Assert.Equal("timePeriod", Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncLimiter(5, TimeSpan.Zero)).ParamName);
}
