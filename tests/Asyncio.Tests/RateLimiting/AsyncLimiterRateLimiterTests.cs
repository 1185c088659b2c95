using System.Threading.RateLimiting;
using Asyncio.RateLimiting;

namespace Asyncio.Tests.RateLimiting;

/// <summary>The System.Threading.RateLimiting adapter of <see cref="AsyncLimiter"/>.</summary>
public class AsyncLimiterRateLimiterTests
{
    [Fact]
    public void AttemptAcquire_OnTheLoop_GrantsTheBurstThenRefuses()
    {
        var loop = TestLoop.NewVirtual();
        var adapter = new AsyncLimiterRateLimiter(new AsyncLimiter(2, 1), loop);
        async Coroutine<bool[]> Main()
        {
            await Aio.Sleep(0);
            return new[] { adapter.AttemptAcquire().IsAcquired, adapter.AttemptAcquire().IsAcquired, adapter.AttemptAcquire().IsAcquired };
        }
        Assert.Equal(new[] { true, true, false }, loop.RunUntilComplete(Main()));
        Assert.Equal(2, adapter.GetStatistics()!.TotalSuccessfulLeases);
        Assert.Equal(1, adapter.GetStatistics()!.TotalFailedLeases);
        loop.Close();
    }

    [Fact]
    public void AttemptAcquire_OffTheLoopThreadThrows()
    {
        var adapter = new AsyncLimiterRateLimiter(new AsyncLimiter(2, 1), TestLoop.NewVirtual());
        Assert.Throws<InvalidOperationException>(() => adapter.AttemptAcquire());
    }

    [Fact]
    public void AcquireAsync_WaitsOnTheLoopUntilThePermitsFit()
    {
        var loop = TestLoop.NewVirtual();
        var limiter = new AsyncLimiter(1, 1);
        var adapter = new AsyncLimiterRateLimiter(limiter, loop);
        async Coroutine<double> Main()
        {
            double start = loop.Time();
            RateLimitLease first = await adapter.AcquireAsync();
            RateLimitLease second = await adapter.AcquireAsync();
            Assert.True(first.IsAcquired && second.IsAcquired);
            return loop.Time() - start;
        }
        Assert.Equal(1, loop.RunUntilComplete(Main()), 3);
        loop.Close();
    }
}
