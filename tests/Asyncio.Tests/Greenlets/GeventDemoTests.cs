using Asyncio.Cli.Demos;

namespace Asyncio.Tests.Greenlets;

/// <summary><c>aio demo greenlet</c> and <c>aio demo gevent</c> print what the Python they mirror prints.</summary>
public class GeventDemoTests
{
    private static string[] OutputOf(Demo demo)
    {
        var output = new StringWriter();
        demo.Run(output);
        string[] lines = output.ToString().Split('\n', StringSplitOptions.TrimEntries);
        int start = Array.FindIndex(lines, l => l.StartsWith("# output", StringComparison.Ordinal));
        return lines[(start + 1)..].Where(l => l.Length > 0).ToArray();
    }

    [Fact]
    public void GreenletDemo_Prints12_56_34()
    {
        Assert.Equal(["12", "56", "34"], OutputOf(new GreenletDemo()));
    }

    [Fact]
    public void GeventDemo_FetchesTheFastPages_AndTheSlowOneTimesOut()
    {
        string[] lines = OutputOf(new GeventDemo());
        // Real time on a shared machine: the order of the fetches (0.1, 0.2, 0.3 s apart) is not asserted.
        Assert.Equal(["fetched /", "fetched /about", "fetched /blog"], lines[..3].Order());
        Assert.Equal(
            ["/ -> <page />", "/about -> <page /about>", "/blog -> <page /blog>", "/slow -> GeventTimeout: 1 second"],
            lines[3..]);
    }

    [Fact]
    public void BothDemosAreListed()
    {
        Assert.Contains(Demo.All, d => d.Name == "greenlet");
        Assert.Contains(Demo.All, d => d.Name == "gevent");
    }
}
