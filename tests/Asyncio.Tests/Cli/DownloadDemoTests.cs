using Asyncio.Cli.Demos;
using Asyncio.Tests.Executors;

namespace Asyncio.Tests.Cli;

/// <summary><c>aio demo download</c>: a server on the loop cuts one answer; the engine resumes it and reports the missing file.</summary>
public class DownloadDemoTests
{
    [LinuxFact]
    public void DownloadDemo_ResumesTheCutFile_ReportsTheMissingOne_LeavesNothingBehind()
    {
        var output = new StringWriter();
        new DownloadDemo().Run(output);
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("big.bin      downloaded 300000 bytes, 2 attempt(s), resumed", lines[1]);
        Assert.Equal("hello.txt    downloaded 13 bytes, 1 attempt(s)", lines[2]);
        Assert.StartsWith("missing.bin  failed     HTTP 404", lines[3], StringComparison.Ordinal);
        Assert.Equal("the files on disk are the ones served: True; no .part left: True", lines[4]);
    }

    [Fact]
    public void DownloadDemo_IsListed() => Assert.Contains(Demo.All, d => d.Name == "download");
}
