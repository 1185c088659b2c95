using System.Text.Json;
using System.Text.RegularExpressions;
using Asyncio.Cli.Demos;
using Asyncio.Cli.Fetch;
using Asyncio.Tests.Executors;

namespace Asyncio.Tests.Cli;

/// <summary>
/// <c>aio fetch --demo</c> through the command line, the demo server itself, and the cheat sheet's aiohttp demos
/// running real requests against it. Every run has a watchdog.
/// </summary>
public sealed class FetchDemoTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aio-fetch-demo-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [LinuxFact]
    public void FetchDemo_DownloadsEveryFileVerified_DespiteTheFaults_Exit0()
    {
        var (code, output, error) = Watched(() => CommandLineTests.Run($"fetch --demo -o {_dir}"));
        Assert.True(code == 0, output + error);
        Assert.Equal("", error);
        foreach (var (path, file) in DemoServer.DemoSite())
        {
            Assert.Equal(file.Content, File.ReadAllBytes(Path.Combine(_dir, path[(path.LastIndexOf('/') + 1)..])));
        }
        Assert.Equal(DemoServer.DemoSite().Count, Directory.GetFiles(_dir).Length);   // no .part, no sidecar
        Assert.Contains("6 downloaded, 0 skipped, 0 failed", output, StringComparison.Ordinal);
        Assert.Matches(@"dog\.jpg  \(resumed\)", output);
        Assert.Contains("the server answered 10 requests: 5 x 200, 1 x 206, 1 x 429, 1 x 500, 1 x 503, 1 x reset", output, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', output);
    }

    [LinuxFact]
    public void FetchDemo_WithoutOut_DownloadsIntoANewTemporaryDirectory_AndPrintsIt()
    {
        var (code, output, _) = Watched(() => CommandLineTests.Run("fetch --demo --json"));
        Assert.Equal(0, code);
        using JsonDocument report = JsonDocument.Parse(output);   // the demo's notes go to standard error with --json
        string path = report.RootElement.GetProperty("files")[0].GetProperty("path").GetString()!;
        string directory = Path.GetDirectoryName(path)!;
        try
        {
            Assert.StartsWith("aio-fetch-demo-", Path.GetFileName(directory), StringComparison.Ordinal);
            Assert.Equal(6, report.RootElement.GetProperty("downloaded").GetInt32());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void FetchDemo_WithUrls_IsAUsageError()
    {
        var (code, _, error) = CommandLineTests.Run("fetch --demo http://example.org/a");
        Assert.Equal(2, code);
        Assert.Contains("--demo downloads from its own server", error, StringComparison.Ordinal);
    }

    [LinuxFact]
    public void DemoServer_HonoursIfRange_206ForTheSameFile_200ForAnother_416PastTheEnd()
    {
        var files = new Dictionary<string, DemoFile> { ["/f"] = new(DemoServer.Generated("f", 1000)) };
        string etag = files["/f"].ETag;
        string[] statuses = SelectorLoops_Run(async () =>
        {
            await using DemoServer server = await DemoServer.StartAsync(files);
            using var client = new HttpClient();
            var answers = new List<string>();
            foreach (var (range, ifRange) in new[] { ("bytes=400-", etag), ("bytes=400-", "\"other\""), ("bytes=1000-", etag) })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, server.UrlOf("/f"));
                request.Headers.TryAddWithoutValidation("Range", range);
                request.Headers.TryAddWithoutValidation("If-Range", ifRange);
                using HttpResponseMessage response = await client.SendAsync(request);
                byte[] body = await response.Content.ReadAsByteArrayAsync();
                answers.Add($"{(int)response.StatusCode} {body.Length} {response.Content.Headers.ContentRange}");
            }
            return answers.ToArray();
        });
        Assert.Equal(["206 600 bytes 400-999/1000", "200 1000 ", "416 0 bytes */1000"], statuses);
    }

    [LinuxFact]
    public void DemoServer_Disposed_DuringAThrottledAnswer_StopsAtOnce_TheClientSeesTheBodyCut()
    {
        var files = new Dictionary<string, DemoFile> { ["/big"] = new(DemoServer.Generated("big", 1_000_000)) };
        Watched(() =>
        {
            DemoServer server = DemoServer.Start(files, bytesPerSecond: 64 * 1024);   // the whole body would take 15 s
            using var client = new HttpClient();
            using HttpResponseMessage response = client.GetAsync(server.UrlOf("/big"), HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
            Assert.Equal(200, (int)response.StatusCode);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            server.Dispose();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"disposing took {watch.Elapsed}");
            Assert.ThrowsAny<HttpRequestException>(() => response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult());
            Assert.Equal(["GET /big -> 200"], server.Log);
            return 0;
        });
    }

    [LinuxFact]
    public void RateLimitDemo_SendsRealRequests_TenAtOnceThenTenPerSecond()
    {
        var output = new StringWriter();
        Watched(() => { new RateLimitDemo().Run(output); return 0; });
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("20 GETs to http://127.0.0.1 (a local server), at most 10 per second", lines[0]);
        var sent = new List<double>();
        for (int i = 0; i < 20; i++)
        {
            Match line = Regex.Match(lines[i + 1], $@"^{i,2}: GET /drip/{i,-2} -> HTTP 200 ""Drip {i}!""  \(sent at (\d+\.\d\d) s\)$");
            Assert.True(line.Success, lines[i + 1]);
            sent.Add(double.Parse(line.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.Equal("the server answered 20 requests", lines[21]);
        Assert.InRange(sent[9], 0, 0.5);      // the burst
        Assert.InRange(sent[19], 0.85, 5);    // then paced
        Assert.Matches(@"^after the burst: \d+\.\d requests/s \(limit 10/s\)$", lines[22]);
    }

    [LinuxFact]
    public void DownloadDemo_RunsTheCheatSheetsCode_TheErrorPageIsSavedAsTheFile()
    {
        var output = new StringWriter();
        Watched(() => { new DownloadDemo().Run(output); return 0; });
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            [
                "the cheat sheet's code (one task per URL, Aio.Wait, no checks):",
                "big.bin      HTTP 200, 300000 bytes written",
                "hello.txt    HTTP 200, 13 bytes written",
                "missing.bin  HTTP 404, 0 bytes written anyway: an error page saved as the file",
            ],
            lines[^4..]);
    }

    /// <summary>Runs <paramref name="work"/> on a thread of its own and fails the test if it does not end in time.</summary>
    private static T Watched<T>(Func<T> work, double limitSeconds = 120)
    {
        Task<T> running = Task.Factory.StartNew(work, TaskCreationOptions.LongRunning);
        Assert.True(running.Wait(TimeSpan.FromSeconds(limitSeconds)), $"still running after {limitSeconds} s");
        return running.Result;
    }

    private static T SelectorLoops_Run<T>(Func<Coroutine<T>> main) =>
        Asyncio.Tests.Selectors.SelectorLoops.Run(Aio.NewEventLoop(), main, limitSeconds: 60);
}
