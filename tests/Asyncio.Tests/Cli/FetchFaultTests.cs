using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Asyncio.Cli.Fetch;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Subprocesses;

namespace Asyncio.Tests.Cli;

/// <summary>
/// Hostile servers: names that try to leave the output directory, a redirect loop, a server that never answers.
/// </summary>
public sealed class FetchFaultTests : FetchSandbox
{
    /// <summary>Names a server may suggest, and the name each one gets inside the output directory.</summary>
    private static readonly (string Suggested, string Expected)[] s_hostileNames =
    [
        ("../x", "x"),
        ("/etc/passwd", "passwd"),
        ("a/../../b", "b"),
        ("CON", "_CON"),
        ("nul\0byte.txt", "nulbyte.txt"),
        ("new\nline\r.txt", "newline.txt"),
        (new string('n', 300) + ".txt", new string('n', FileNames.MaxNameBytes - 4) + ".txt"),
    ];

    /// <summary>By index: a NUL or a newline in a test case's name would upset the test runners.</summary>
    [LinuxTheory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void HostileName_FromTheServer_StaysInsideTheOutputDirectory(int which)
    {
        var (suggested, expected) = s_hostileNames[which];
        byte[] content = FetchTests.Bytes(1000);
        string header = $"attachment; filename*=UTF-8''{Uri.EscapeDataString(suggested)}";
        Uri url = Server.Serve("/file", new ServedFile { Content = content, ContentDisposition = header });
        FetchResult result = FetchTests.Fetch(new FetchOptions { Urls = [url], OutDir = Dir }).Single();
        Assert.Equal(FetchStatus.Downloaded, result.Status);
        Assert.Equal(Path.Combine(Dir, expected), result.Path);
        Assert.Equal(content, File.ReadAllBytes(result.Path!));
        Assert.Equal([expected], Directory.GetFileSystemEntries(Dir).Select(Path.GetFileName));
        Assert.True(Encoding.UTF8.GetByteCount(expected) <= FileNames.MaxNameBytes);
    }

    [LinuxFact]
    public void RedirectLoop_FailsFast_NamingTheCause_TheOtherFilesStillDownload_Exit1()
    {
        Uri loop = Server.Serve("/loop", new ServedFile { Content = [], RedirectTo = "/loop" });
        Uri a = Server.Serve("/a.bin", new ServedFile { Content = FetchTests.Bytes(5000, 1) });
        Uri b = Server.Serve("/b.bin", new ServedFile { Content = FetchTests.Bytes(5000, 2) });
        var watch = Stopwatch.StartNew();
        var (code, output, error) = CommandLineTests.Run($"fetch --json -o {Dir} {a} {loop} {b}");
        Assert.Equal(1, code);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        using JsonDocument report = JsonDocument.Parse(output);
        Assert.Equal(2, report.RootElement.GetProperty("downloaded").GetInt32());
        JsonElement failed = report.RootElement.GetProperty("files")[1];
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal(1, failed.GetProperty("attempts").GetInt32());   // a loop is not retried
        Assert.Contains("too many redirects", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("too many redirects", error, StringComparison.Ordinal);
        Assert.InRange(Server.Requests.Count(r => r.Path == "/loop"), 10, 11);
        Assert.Equal(["a.bin", "b.bin"], Directory.GetFiles(Dir).Select(Path.GetFileName).Order());
    }

    [LinuxFact]
    public void ServerThatNeverAnswers_IsCutByTheTimeout_NothingWritten()
    {
        Uri url = Server.Serve("/never", new ServedFile { Content = FetchTests.Bytes(10), Delay = TimeSpan.FromHours(1) });
        var watch = Stopwatch.StartNew();
        FetchResult result = FetchTests.Fetch(new FetchOptions
        {
            Urls = [url], OutDir = Dir, TimeoutSeconds = 0.5, Retries = 1, BackoffBaseSeconds = 0.01, BackoffCapSeconds = 0.05,
        }).Single();
        Assert.Equal(FetchStatus.Failed, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.Contains("no answer within 0.5 s", result.Error, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.Empty(Directory.GetFileSystemEntries(Dir));
    }
}
