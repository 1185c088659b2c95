namespace Asyncio.Tests.RateLimiting;

/// <summary>aiolimiter's documented behaviour (its docs' timing examples and its tests), on virtual time.</summary>
public class AsyncLimiterTests
{
    /// <summary>aiolimiter's docs example: task <c>i</c> sleeps <c>i * 0.01</c> s, then enters the limiter; returns entry times.</summary>
    private static double[] DripTimes(AsyncLimiter limiter, int tasks)
    {
        async Coroutine<double> Task(int id, double start)
        {
            await Aio.Sleep(id * 0.01);
            using (await limiter.AcquireAsync())
            {
                return Aio.GetRunningLoop().Time() - start;
            }
        }
        async Coroutine<double[]> Main()
        {
            double start = Aio.GetRunningLoop().Time();
            var all = Enumerable.Range(0, tasks).Select(i => Aio.CreateTask(Task(i, start))).ToList();
            var times = new double[tasks];
            for (int i = 0; i < tasks; i++) times[i] = await all[i];
            return times;
        }
        return TestLoop.RunVirtual(Main);
    }

    [Fact]
    public void Bursting_FirstMaxRateEnterAtOnce_ThenOnePerDrip()
    {
        // aiolimiter docs: AsyncLimiter(4, 8) prints 0.00 0.01 0.02 0.03 2.05 4.05 6.05 8.06 10.06 12.07 (real clock).
        double[] times = DripTimes(new AsyncLimiter(4, 8), 10);
        double[] expected = { 0, 0.01, 0.02, 0.03, 2, 4, 6, 8, 10, 12 };
        for (int i = 0; i < times.Length; i++) Assert.Equal(expected[i], times[i], 3);
    }

    [Fact]
    public void NoBursts_WithMaxRateOne_EntriesAreTimePeriodApart()
    {
        // aiolimiter docs: AsyncLimiter(1, 1.5) prints 0.00 1.52 3.03 4.54 6.05 (real clock).
        double[] times = DripTimes(new AsyncLimiter(1, 1.5), 5);
        double[] expected = { 0, 1.5, 3, 4.5, 6 };
        for (int i = 0; i < times.Length; i++) Assert.Equal(expected[i], times[i], 3);
    }

    [Fact]
    public void Acquire_OfMoreThanMaxRateThrowsArgumentException()
    {
        var limiter = new AsyncLimiter(1);
        var e = Assert.Throws<ArgumentException>(() => TestLoop.RunVirtual(async () => await limiter.AcquireAsync(42)));
        Assert.Contains("Can't acquire more than the maximum capacity", e.Message);
    }

    [Fact]
    public void HasCapacity_ReflectsTheBucketLevel()
    {
        var limiter = new AsyncLimiter(1);
        async Coroutine Main()
        {
            Assert.True(limiter.HasCapacity());
            Assert.False(limiter.HasCapacity(42));
            await limiter.AcquireAsync();
            Assert.False(limiter.HasCapacity());
        }
        TestLoop.RunVirtual(Main);
        Assert.Equal(1, limiter.MaxRate);
        Assert.Equal(60, limiter.TimePeriod);
    }

    [Fact]
    public void Acquire_ReleasesCapacityAtMaxRatePerTimePeriod()
    {
        // aiolimiter test_acquire: AsyncLimiter(5, 10) releases one unit every 2 s.
        var limiter = new AsyncLimiter(5, 10);
        async Coroutine<double> Acquire()
        {
            await limiter.AcquireAsync();
            return Aio.GetRunningLoop().Time();
        }
        async Coroutine<double[]> Main()
        {
            double start = Aio.GetRunningLoop().Time();
            var tasks = Enumerable.Range(0, 10).Select(_ => Aio.CreateTask(Acquire())).ToList();
            var times = new double[10];
            for (int i = 0; i < 10; i++) times[i] = await tasks[i] - start;
            return times;
        }
        double[] times = TestLoop.RunVirtual(Main);
        double[] expected = { 0, 0, 0, 0, 0, 2, 4, 6, 8, 10 };
        for (int i = 0; i < 10; i++) Assert.Equal(expected[i], times[i], 6);
    }

    [Fact]
    public void Acquire_WaitsOnlyUntilTheAmountFits()
    {
        // aiolimiter test_acquire_wait_time: with 1 of 3 used, acquiring 3 takes 1 s.
        var limiter = new AsyncLimiter(3, 3);
        async Coroutine<double> Main()
        {
            double start = Aio.GetRunningLoop().Time();
            await limiter.AcquireAsync(1);
            await limiter.AcquireAsync(3);
            return Aio.GetRunningLoop().Time() - start;
        }
        Assert.Equal(1, TestLoop.RunVirtual(Main), 6);
    }

    [Fact]
    public void Acquire_ANewSmallRequestDoesNotOvertakeAWaitingLargeOne()
    {
        // Differs from aiolimiter (test_decreasing_acquire), where the small request goes first and
        // delays the large one to 2 s: here the large one keeps its place and gets in at 1 s.
        var limiter = new AsyncLimiter(3, 3);
        var order = new List<(string, double)>();
        async Coroutine Acquire(string name, double amount)
        {
            await limiter.AcquireAsync(amount);
            order.Add((name, Aio.GetRunningLoop().Time()));
        }
        async Coroutine Main()
        {
            await limiter.AcquireAsync(1);
            var large = Aio.CreateTask(Acquire("large", 3));
            await Aio.Sleep(0);
            var small = Aio.CreateTask(Acquire("small", 1));
            await large;
            await small;
        }
        var loop = TestLoop.NewVirtual();
        double start = loop.Time();
        loop.RunUntilComplete(Main());
        loop.Close();
        Assert.Equal("large", order[0].Item1);
        Assert.Equal(1, order[0].Item2 - start, 6);
        Assert.Equal("small", order[1].Item1);
        Assert.Equal(2, order[1].Item2 - start, 6);
    }

    [Fact]
    public void Acquire_ACancelledWaiterDoesNotDelayTheNext()
    {
        // aiolimiter test_task_cancelled: two waiters for 3 would take 4 s; cancel the first, the second takes 1 s.
        var limiter = new AsyncLimiter(3, 3);
        async Coroutine<double> Acquire3()
        {
            await limiter.AcquireAsync(3);
            return Aio.GetRunningLoop().Time();
        }
        async Coroutine<double> Main()
        {
            double start = Aio.GetRunningLoop().Time();
            await limiter.AcquireAsync(1);
            var first = Aio.CreateTask(Acquire3());
            var second = Aio.CreateTask(Acquire3());
            await Aio.Sleep(0);
            first.Cancel();
            return await second - start;
        }
        Assert.Equal(1, TestLoop.RunVirtual(Main), 6);
    }

    [Fact]
    public void Using_TheReleaserDoesNothing()
    {
        var limiter = new AsyncLimiter(1, 1);
        async Coroutine<bool> Main()
        {
            using (await limiter.AcquireAsync()) { }
            return limiter.HasCapacity();
        }
        Assert.False(TestLoop.RunVirtual(Main));
    }
}
