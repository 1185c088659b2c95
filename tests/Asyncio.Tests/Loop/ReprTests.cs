using System.Globalization;

namespace Asyncio.Tests.Loop;

/// <summary>
/// Reprs print numbers as Python does, whatever the current culture: floats as <c>repr(float)</c> (<c>when=10.0</c>,
/// not <c>when=10</c> or <c>when=10,0</c>). Each test runs under a German culture, whose decimal separator is a comma.
/// </summary>
public class ReprTests
{
    [Theory]
    [InlineData(10.0, "10.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e+16, "1e+16")]
    [InlineData(1000000000000000.0, "1000000000000000.0")]
    [InlineData(1e-05, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(123456789.123, "123456789.123")]
    [InlineData(-0.0, "-0.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(1.5e+300, "1.5e+300")]
    [InlineData(2.5e-300, "2.5e-300")]
    [InlineData(0.3333333333333333, "0.3333333333333333")]
    [InlineData(100.0, "100.0")]
    [InlineData(5e-324, "5e-324")]
    [InlineData(1.7976931348623157e+308, "1.7976931348623157e+308")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(12345.678, "12345.678")]
    [InlineData(9999999999999998.0, "9999999999999998.0")]
    [InlineData(0.001, "0.001")]
    [InlineData(1.23456e-08, "1.23456e-08")]
    [InlineData(1e+22, "1e+22")]
    [InlineData(1e-07, "1e-07")]
    [InlineData(4.35, "4.35")]
    [InlineData(2.7216092808335446e+276, "2.7216092808335446e+276")]
    [InlineData(-698302.0, "-698302.0")]
    [InlineData(2.3558459513947972e+198, "2.3558459513947972e+198")]
    [InlineData(71764.00861, "71764.00861")]
    [InlineData(6.5873608269827986e-273, "6.5873608269827986e-273")]
    [InlineData(819408.126, "819408.126")]
    [InlineData(1.086847153644306e-255, "1.086847153644306e-255")]
    [InlineData(-132708.6, "-132708.6")]
    [InlineData(9.712829130282242e-253, "9.712829130282242e-253")]
    [InlineData(102095.0, "102095.0")]
    [InlineData(4.569785438180719e+40, "4.569785438180719e+40")]
    [InlineData(-752396.078, "-752396.078")]
    [InlineData(7.3485947989945054e+78, "7.3485947989945054e+78")]
    [InlineData(165994.0, "165994.0")]
    [InlineData(1.1386802021941775e+53, "1.1386802021941775e+53")]
    [InlineData(-206639.051, "-206639.051")]
    [InlineData(1.744133597091969e+35, "1.744133597091969e+35")]
    [InlineData(716936.9181, "716936.9181")]
    [InlineData(1.0158623816060897e-219, "1.0158623816060897e-219")]
    [InlineData(81371.771064285, "81371.771064285")]
    [InlineData(2.9921509330084245e+37, "2.9921509330084245e+37")]
    [InlineData(632252.72, "632252.72")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    [InlineData(double.NaN, "nan")]
    public void PyReprFloat_PrintsWhatPythonsReprPrints(double value, string python) =>
        UnderGermanCulture(() => Assert.Equal(python, PyRepr.Float(value)));

    [Fact]
    public void TimeoutRepr_PrintsTheDeadlineAsAPythonFloat() => UnderGermanCulture(() =>
    {
        var seen = new List<string>();
        TestLoop.RunVirtual(async () =>
        {
            await Aio.TimeoutAt(10, async h =>
            {
                seen.Add(h.ToString());
                h.Reschedule(10.5);
                seen.Add(h.ToString());
                await Aio.Sleep(0);
            });
        });
        Assert.Equal(new[] { "<Timeout [active] when=10.0>", "<Timeout [active] when=10.5>" }, seen);
    });

    [Fact]
    public void TimerHandleRepr_PrintsTheDeadlineAsAPythonFloat() => UnderGermanCulture(() =>
    {
        var loop = TestLoop.NewVirtual();
        TimerHandle timer = loop.CallAt(12.25, () => { });
        TimerHandle whole = loop.CallAt(20, () => { });
        Assert.Equal("<TimerHandle when=12.25>", timer.ToString());
        Assert.Equal("<TimerHandle when=20.0>", whole.ToString());
        loop.Close();
    });

    [Fact]
    public void AsyncLimiterRepr_PrintsRatePeriodAndLevelWithAPoint() => UnderGermanCulture(() =>
    {
        var limiter = new AsyncLimiter(2.5, 0.5);
        TestLoop.RunVirtual(async () =>
        {
            using (await limiter.AcquireAsync(1.5)) { }
        });
        Assert.Equal("<AsyncLimiter(maxRate=2.5, timePeriod=0.5) [level: 1.500000, waiters: 0]>", limiter.ToString());
    });

    [Fact]
    public void FutureAndTaskRepr_PrintAFloatResultAsPythonDoes() => UnderGermanCulture(() =>
    {
        var loop = TestLoop.NewVirtual();
        Future<double> future = loop.CreateFuture<double>();
        future.SetResult(1.5);
        AioTask<double> task = loop.CreateTask(Aio.Sleep(0, 3.0));
        loop.RunUntilComplete(task);
        Assert.Equal("<Future finished result=1.5>", future.ToString());
        Assert.EndsWith(" result=3.0>", task.ToString());
        loop.Close();
    });

    [Fact]
    public void QueueRepr_PrintsFloatItemsAsPythonDoes() => UnderGermanCulture(() =>
    {
        var queue = new AsyncQueue<double>();
        queue.PutNowait(0.5);
        queue.PutNowait(2);
        Assert.Equal("<AsyncQueue maxsize=0 _queue=[0.5, 2.0] tasks=2>", queue.ToString());
    });

    /// <summary>Runs <paramref name="body"/> with de-DE as the current culture, then restores the previous one.</summary>
    private static void UnderGermanCulture(Action body)
    {
        CultureInfo previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            Assert.Equal("1,5", 1.5.ToString(CultureInfo.CurrentCulture));
            body();
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
