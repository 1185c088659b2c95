using Asyncio.Tests.Executors;

namespace Asyncio.Tests.Selectors;

/// <summary>The epoll selector as the default (its wake-ups and timeouts are <see cref="SelectorWaitTests"/>' on each selector).</summary>
public class EpollSelectorTests
{
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
