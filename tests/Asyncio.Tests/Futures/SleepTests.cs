namespace Asyncio.Tests.Futures;

/// <summary><c>Aio.Sleep</c>: zero and negative delays, results, cancellation, NaN (behaviours B035–B036).</summary>
public sealed class SleepTests : IDisposable
{
    private readonly EventLoop _loop = TestLoop.NewVirtual();

    public void Dispose() => _loop.Close();

    // B035
    [Fact]
    public void SleepZero_YieldsOnce_QueuedCallbacksRunFirst_AndReturnsTheResult()
    {
        int result = 0;
        int seenAfterSleep = -1;

        async Coroutine<int> Main()
        {
            _loop.CallSoon(() => result += 1);
            int num = await Aio.Sleep(0, 10);
            seenAfterSleep = result;
            return num;
        }

        double start = _loop.Time();

        Assert.Equal(10, _loop.RunUntilComplete(Main()));
        Assert.Equal(1, seenAfterSleep);
        Assert.Equal(start, _loop.Time());
    }

    // B035
    [Fact]
    public void Sleep_PositiveAndNegativeDelays_ReturnTheResult()
    {
        double start = _loop.Time();

        Assert.Equal("x", _loop.RunUntilComplete(Aio.Sleep(0.01, "x")));
        double afterPositive = _loop.Time();
        Assert.Equal("n", _loop.RunUntilComplete(Aio.Sleep(-1, "n")));

        Assert.InRange(afterPositive - start, 0.01 - 1e-6, 0.02);
        Assert.Equal(afterPositive, _loop.Time());
    }

    // B036
    [Fact]
    public void CancellingASleepingTask_RaisesAtTheAwaitAndCancelsTheTimer()
    {
        AioTask<int> t = _loop.CreateTask(Aio.Sleep(10, 0));
        _loop.RunOnce();
        var timer = Assert.IsType<TimerHandle>(t.Waiter);
        double start = _loop.Time();

        t.Cancel();

        Assert.Throws<CancelledError>(() => _loop.RunUntilComplete(t));
        Assert.True(timer.IsCancelled);
        Assert.True(_loop.Time() - start < 10);
    }

    // B036
    [Fact]
    public void SleepNaN_ThrowsArgumentException()
    {
        static async Coroutine<string> Main()
        {
            try
            {
                await Aio.Sleep(double.NaN);
                return "slept";
            }
            catch (ArgumentException e)
            {
                return e.Message;
            }
        }

        Assert.StartsWith("Invalid delay: NaN (not a number)", _loop.RunUntilComplete(Main()));
        Assert.Throws<ArgumentException>(() => _loop.RunUntilComplete(Aio.Sleep(double.NaN, 1)));
    }
}
