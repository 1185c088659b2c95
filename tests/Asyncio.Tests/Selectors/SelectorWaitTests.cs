using System.Diagnostics;

namespace Asyncio.Tests.Selectors;

/// <summary>Each selector that watches descriptors, by itself: wake-ups are latched and consumed, timeouts are kept.</summary>
public class SelectorWaitTests
{
    public static TheoryData<string> Selectors() => SelectorLoops.WithIo();

    [Theory]
    [MemberData(nameof(Selectors))]
    public void Wake_BeforeSelect_IsLatched_SoTheNextSelectReturnsAtOnce(string kind)
    {
        using var selector = SelectorLoops.NewSelector(kind);
        selector.Wake();
        var stopwatch = Stopwatch.StartNew();
        selector.Select(TimeSpan.FromSeconds(30));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"waited {stopwatch.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void Wake_IsConsumed_ByTheSelectItEnds(string kind)
    {
        using var selector = SelectorLoops.NewSelector(kind);
        selector.Wake();
        selector.Wake();
        Assert.Equal(0, selector.Select(TimeSpan.FromSeconds(30)).Length);
        var stopwatch = Stopwatch.StartNew();
        selector.Select(TimeSpan.FromMilliseconds(30));
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(25), $"returned after {stopwatch.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void Wake_FromAnotherThread_EndsABlockedSelect(string kind)
    {
        using var selector = SelectorLoops.NewSelector(kind);
        var thread = new Thread(() =>
        {
            Thread.Sleep(50);
            selector.Wake();
        });
        var stopwatch = Stopwatch.StartNew();
        thread.Start();
        selector.Select(Timeout.InfiniteTimeSpan);
        thread.Join();
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"woke after {stopwatch.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void Select_WithATimeout_WaitsAtLeastThatLong_RoundingUp(string kind)
    {
        using var selector = SelectorLoops.NewSelector(kind);
        var stopwatch = Stopwatch.StartNew();
        selector.Select(TimeSpan.FromMilliseconds(1.5));
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(1.5), $"returned after {stopwatch.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void Wake_AfterDispose_DoesNothing(string kind)
    {
        var selector = SelectorLoops.NewSelector(kind);
        selector.Dispose();
        selector.Wake();
        selector.Dispose();
    }
}
