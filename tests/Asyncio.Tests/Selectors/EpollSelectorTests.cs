using System.Diagnostics;
using Asyncio.Tests.Executors;

namespace Asyncio.Tests.Selectors;

/// <summary>The epoll selector by itself, and the loop's life with it: wake-ups, timeouts, descriptors.</summary>
public class EpollSelectorTests
{
    [LinuxFact]
    public void Wake_BeforeSelect_IsLatched_SoTheNextSelectReturnsAtOnce()
    {
        using var selector = new EpollSelector();
        selector.Wake();
        var stopwatch = Stopwatch.StartNew();
        selector.Select(TimeSpan.FromSeconds(30));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"waited {stopwatch.Elapsed}");
    }

    [LinuxFact]
    public void Wake_IsConsumed_ByTheSelectItEnds()
    {
        using var selector = new EpollSelector();
        selector.Wake();
        selector.Wake();
        Assert.Equal(0, selector.Select(TimeSpan.FromSeconds(30)).Length);
        var stopwatch = Stopwatch.StartNew();
        selector.Select(TimeSpan.FromMilliseconds(30));
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(25), $"returned after {stopwatch.Elapsed}");
    }

    [LinuxFact]
    public void Wake_FromAnotherThread_EndsABlockedSelect()
    {
        using var selector = new EpollSelector();
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

    [LinuxFact]
    public void Select_WithATimeout_WaitsAtLeastThatLong_RoundingUp()
    {
        using var selector = new EpollSelector();
        var stopwatch = Stopwatch.StartNew();
        selector.Select(TimeSpan.FromMilliseconds(1.5));
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(1.5), $"returned after {stopwatch.Elapsed}");
    }

    [LinuxFact]
    public void Wake_AfterDispose_DoesNothing()
    {
        var selector = new EpollSelector();
        selector.Dispose();
        selector.Wake();
        selector.Dispose();
    }

    [LinuxFact]
    public void Epoll_IsTheDefaultSelectorOnLinux_UnlessTheEnvironmentSaysOtherwise()
    {
        SelectorKind expected = Environment.GetEnvironmentVariable("AIO_SELECTOR")?.Trim().ToUpperInvariant() switch
        {
            "WAIT" => SelectorKind.Wait,
            "PORTABLE" => SelectorKind.Portable,
            _ => SelectorKind.Epoll,
        };
        Assert.Equal(expected, DefaultSelector.Kind);
    }
}
