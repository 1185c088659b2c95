using System.Diagnostics;
using System.Text.Json;
using Asyncio.Tests.Executors;

namespace Asyncio.Tests.Cli;

/// <summary>
/// <c>kill -9</c> in the middle of a file: the <c>aio fetch</c> child process gets no chance to clean up, yet the
/// next run resumes the <c>.part</c> with <c>Range</c> + <c>If-Range</c> and ends with the right SHA-256; nothing is
/// ever at the final name before the file is complete.
/// </summary>
public sealed class FetchKillTests : FetchSandbox
{
    [LinuxFact]
    public void KilledMidFile_TheNextRunResumesWithRangeAndIfRange_TheDigestIsRight()
    {
        byte[] content = FetchTests.Bytes(2_000_000);
        var served = new ServedFile { Content = content, ChunkDelay = TimeSpan.FromMilliseconds(20) };
        Uri url = Server.Serve("/slow.bin", served);
        string final = Path.Combine(Dir, "slow.bin");
        string part = final + ".part";
        using (Process child = FetchInterruptTests.StartAio("fetch", "-q", "-o", Dir, url.AbsoluteUri))
        {
            try
            {
                FetchInterruptTests.WaitWhileRunning(child, () => File.Exists(part) && new FileInfo(part).Length >= 100_000,
                    "no .part grew in time", () => Assert.False(File.Exists(final), "a file at the final name before it was complete"));
                child.Kill();   // SIGKILL on Linux: no handler runs, nothing is flushed or renamed
                Assert.True(child.WaitForExit(TimeSpan.FromSeconds(30)), "aio fetch survived SIGKILL");
                Assert.Equal(128 + 9, child.ExitCode);
            }
            finally
            {
                if (!child.HasExited) child.Kill();
            }
        }
        long kept = new FileInfo(part).Length;
        Assert.InRange(kept, 100_000, content.Length - 1);
        Assert.True(File.Exists(final + ".part.json"));
        Assert.False(File.Exists(final));

        served.ChunkDelay = TimeSpan.Zero;
        // The server records a request when it ends: the killed one ends when the server notices the reset, which a
        // loaded machine may delay. Counted only after that, the next run's requests are the ones after it.
        var recorded = Stopwatch.StartNew();
        while (!Server.Requests.Any(r => r.Path == "/slow.bin") && recorded.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(20);
        int before = Server.Requests.Count;
        var (code, output, error) = CommandLineTests.Run($"fetch --json -o {Dir} {url}");
        Assert.True(code == 0, output + error);
        using JsonDocument report = JsonDocument.Parse(output);
        JsonElement file = report.RootElement.GetProperty("files")[0];
        Assert.True(file.GetProperty("resumed").GetBoolean());
        Assert.Equal(FetchTests.Sha256(content), file.GetProperty("sha256").GetString());
        Assert.Equal(FetchTests.Sha256(content), FetchTests.Sha256(File.ReadAllBytes(final)));
        SeenRequest resumed = Assert.Single(Server.Requests.Skip(before));
        Assert.Equal($"bytes={kept}-", resumed.Range);
        Assert.Equal("\"v1\"", resumed.IfRange);
        Assert.Equal(206, resumed.Status);
        Assert.Equal(["slow.bin"], Directory.GetFiles(Dir).Select(Path.GetFileName));   // no .part, no sidecar
    }
}
