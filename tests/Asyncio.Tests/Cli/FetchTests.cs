using System.Security.Cryptography;
using Asyncio.Cli.Fetch;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Selectors;

namespace Asyncio.Tests.Cli;

/// <summary>
/// <c>aio fetch</c>'s engine against a local Kestrel server: concurrent downloads, resume with Range + If-Range,
/// restarts, verification, names, limits, retries and cancellation. Every run has a watchdog.
/// </summary>
public sealed class FetchTests : FetchSandbox
{
    [LinuxFact]
    public void SeveralFiles_DownloadConcurrently_ByteIdentical_NoLeftovers()
    {
        var files = Enumerable.Range(0, 5).Select(i => (Name: $"f{i}.bin", Content: Bytes(50_000 + i, seed: i))).ToList();
        Uri[] urls = [.. files.Select(f => Server.Serve("/" + f.Name, new ServedFile { Content = f.Content, Delay = TimeSpan.FromMilliseconds(300) }))];
        var results = Fetch(Options(urls) with { Concurrency = 5, PerHost = 5 });
        Assert.All(results, r => Assert.Equal(FetchStatus.Downloaded, r.Status));
        foreach (var (name, content) in files) Assert.Equal(content, File.ReadAllBytes(Path.Combine(Dir, name)));
        Assert.True(Server.MaxInFlight >= 2, $"at most {Server.MaxInFlight} request(s) at once");
        Assert.Equal(files.Select(f => f.Name).Order(), Directory.GetFiles(Dir).Select(Path.GetFileName).Order());
    }

    [LinuxFact]
    public void ConcurrencyAndPerHostLimits_AreRespected()
    {
        var urls = new List<Uri>();
        for (int i = 0; i < 12; i++)
        {
            urls.Add(Server.Serve($"/h{i % 2}/f{i}.bin", new ServedFile { Content = Bytes(1000, i), Delay = TimeSpan.FromMilliseconds(150) }, host: i % 2));
        }
        var results = Fetch(Options([.. urls]) with { Concurrency = 3, PerHost = 2 });
        Assert.All(results, r => Assert.Equal(FetchStatus.Downloaded, r.Status));
        Assert.InRange(Server.MaxInFlight, 2, 3);
        Assert.InRange(Server.MaxInFlightAt(0), 1, 2);
        Assert.InRange(Server.MaxInFlightAt(1), 1, 2);
    }

    [LinuxFact]
    public void ConnectionDroppedMidBody_ResumesWithRangeAndIfRange_ByteIdentical()
    {
        byte[] content = Bytes(300_000);
        Uri url = Server.Serve("/big.bin", new ServedFile { Content = content, DropFirst = 1, DropAfter = 100_000 });
        FetchResult result = Fetch(Options(url)).Single();
        Assert.Equal(FetchStatus.Downloaded, result.Status);
        Assert.True(result.Resumed);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(Dir, "big.bin")));
        SeenRequest second = Server.Requests.Last();
        Assert.Equal(206, second.Status);
        Assert.Matches(@"^bytes=[1-9]\d*-$", second.Range);
        Assert.Equal("\"v1\"", second.IfRange);
        Assert.Equal(Sha256(content), result.Sha256);
    }

    [LinuxFact]
    public void Requests_GoThroughTheClientSession_WithItsUserAgent_AskingForTheBodyAsStored()
    {
        Uri url = Server.Serve("/ua.bin", new ServedFile { Content = Bytes(1000) });
        Assert.Equal(FetchStatus.Downloaded, Fetch(Options(url)).Single().Status);
        SeenRequest seen = Server.Requests.Single();
        Assert.Equal(HttpSource.UserAgent, seen.UserAgent);
        Assert.Equal("identity", seen.AcceptEncoding);
    }

    [LinuxFact]
    public void ServerIgnoringRange_Answers200_AndTheFileRestartsCleanly()
    {
        byte[] content = Bytes(200_000);
        Uri url = Server.Serve("/norange.bin", new ServedFile { Content = content, Ranges = false, DropFirst = 1, DropAfter = 64_000 });
        FetchResult result = Fetch(Options(url)).Single();
        Assert.Equal(FetchStatus.Downloaded, result.Status);
        Assert.False(result.Resumed);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(Dir, "norange.bin")));
        Assert.Equal(200, Server.Requests.Last().Status);
        Assert.True(Server.Requests.Last().Range is not null, string.Join("\n", Server.Requests) + result);   // it was asked for a range, and sent everything
    }

    [LinuxFact]
    public void IfRangeMismatch_TheFileChanged_TheNewVersionReplacesThePart()
    {
        var served = new ServedFile { Content = Bytes(200_000, seed: 1), DropFirst = 1, DropAfter = 50_000 };
        Uri url = Server.Serve("/changing.bin", served);
        FetchResult first = Fetch(Options(url) with { Retries = 0 }).Single();
        Assert.Equal(FetchStatus.Failed, first.Status);
        Assert.True(first.Path is not null, first.Error);
        Assert.EndsWith("changing.bin.part", first.Path, StringComparison.Ordinal);
        Assert.True(new FileInfo(first.Path!).Length > 0);

        byte[] v2 = Bytes(150_000, seed: 2);
        served.Content = v2;
        served.ETag = "\"v2\"";
        FetchResult second = Fetch(Options(url)).Single();
        Assert.Equal(FetchStatus.Downloaded, second.Status);
        Assert.False(second.Resumed);
        Assert.Equal(v2, File.ReadAllBytes(Path.Combine(Dir, "changing.bin")));
        Assert.Equal("\"v1\"", Server.Requests.Last().IfRange);
        Assert.Equal(200, Server.Requests.Last().Status);
    }

    [LinuxFact]
    public void PartAlreadyComplete_416_IsVerifiedAndRenamed()
    {
        byte[] content = Bytes(40_000);
        Uri url = Server.Serve("/done.bin", new ServedFile { Content = content });
        // A previous run wrote every byte but stopped before the rename.
        PartFile part = PartFile.Create(Dir, "done.bin", url, validator: "\"v1\"");
        File.WriteAllBytes(part.PartPath, content);
        FetchResult result = Fetch(Options(url) with { Sha256 = Sha256(content) }).Single();
        Assert.Equal(FetchStatus.Downloaded, result.Status);
        Assert.Equal(416, Server.Requests.Single().Status);
        Assert.Equal($"bytes={content.Length}-", Server.Requests.Single().Range);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(Dir, "done.bin")));
        Assert.Equal(["done.bin"], Directory.GetFiles(Dir).Select(Path.GetFileName));
    }

    [LinuxFact]
    public void PartWithoutValidator_IsNotResumed_TheFileStartsOver()
    {
        byte[] content = Bytes(40_000);
        Uri url = Server.Serve("/plain.bin", new ServedFile { Content = content, ETag = null });
        PartFile part = PartFile.Create(Dir, "plain.bin", url, validator: null);
        File.WriteAllBytes(part.PartPath, Bytes(1000, seed: 7));   // bytes of unknown origin: never spliced
        FetchResult result = Fetch(Options(url)).Single();
        Assert.Equal(FetchStatus.Downloaded, result.Status);
        Assert.Null(Server.Requests.Single().Range);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(Dir, "plain.bin")));
    }

    [LinuxFact]
    public void Sha256Mismatch_FileNotRenamed_PartRemoved_Failed()
    {
        Uri url = Server.Serve("/bad.bin", new ServedFile { Content = Bytes(10_000) });
        AssertFailedWithNothingWritten(Fetch(Options(url) with { Sha256 = new string('0', 64) }).Single(), "sha256 mismatch");
    }

    [LinuxFact]
    public void Sha256Match_Downloads()
    {
        byte[] content = Bytes(10_000);
        Uri url = Server.Serve("/good.bin", new ServedFile { Content = content });
        FetchResult result = Fetch(Options(url) with { Sha256 = Sha256(content) }).Single();
        Assert.Equal(FetchStatus.Downloaded, result.Status);
        Assert.Equal(Sha256(content), result.Sha256);
    }

    [LinuxFact]
    public void Manifest_VerifiesEachFileByName_AndRefusesUnlistedOnes()
    {
        byte[] a = Bytes(1000, 1), b = Bytes(1000, 2), c = Bytes(1000, 3);
        Uri[] urls = [Server.Serve("/a.bin", new ServedFile { Content = a }), Server.Serve("/b.bin", new ServedFile { Content = b }),
            Server.Serve("/c.bin", new ServedFile { Content = c })];
        var manifest = Manifest.Parse($"{Sha256(a)}  a.bin\n{Sha256(a)}  b.bin\n");
        var results = Fetch(Options(urls) with { Manifest = manifest });
        Assert.Equal([FetchStatus.Downloaded, FetchStatus.Failed, FetchStatus.Failed], results.Select(r => r.Status));
        Assert.Contains("sha256 mismatch", results[1].Error, StringComparison.Ordinal);
        Assert.Contains("not in the manifest", results[2].Error, StringComparison.Ordinal);
        Assert.Equal(["a.bin"], Directory.GetFiles(Dir).Select(Path.GetFileName));
    }

    [LinuxFact]
    public void MaxSize_ContentLengthTooLarge_FailsWithoutWriting()
    {
        Uri url = Server.Serve("/huge.bin", new ServedFile { Content = Bytes(5000) });
        AssertFailedWithNothingWritten(Fetch(Options(url) with { MaxSize = 4999 }).Single(), "--max-size");
    }

    [LinuxFact]
    public void MaxSize_UnannouncedLength_StopsWhenTheBodyPassesIt_AndDiscardsThePart()
    {
        Uri url = Server.Serve("/chunked.bin", new ServedFile { Content = Bytes(100_000), Chunked = true });
        AssertFailedWithNothingWritten(Fetch(Options(url) with { MaxSize = 50_000 }).Single(), "--max-size");
    }

    [LinuxFact]
    public void UnannouncedLength_DownloadsToTheEnd()
    {
        byte[] content = Bytes(100_000);
        Uri url = Server.Serve("/chunked.bin", new ServedFile { Content = content, Chunked = true });
        Assert.Equal(FetchStatus.Downloaded, Fetch(Options(url)).Single().Status);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(Dir, "chunked.bin")));
    }

    [LinuxFact]
    public void StalledBody_TimesOut_AndTheRetryResumes()
    {
        byte[] content = Bytes(200_000);
        Uri url = Server.Serve("/stall.bin", new ServedFile { Content = content, DropFirst = 1, DropAfter = 64_000, Stall = true });
        // 2 s, not less: the timeout also bounds the wait for the first answer, which in a cold test process (the HTTP
        // stack and the server compiling their first request) took longer than 0.5 s and cost an extra attempt.
        FetchResult result = Fetch(Options(url) with { TimeoutSeconds = 2 }).Single();
        Assert.Equal(FetchStatus.Downloaded, result.Status);
        Assert.True(result.Resumed);
        Assert.Equal(2, result.Attempts);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(Dir, "stall.bin")));
    }

    [LinuxFact]
    public void TooManyRequests_WaitsForRetryAfter()
    {
        Uri url = Server.Serve("/busy.bin", new ServedFile { Content = Bytes(100), FailFirst = 1, FailStatus = 429, RetryAfter = "1" });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        FetchResult result = Fetch(Options(url) with { BackoffCapSeconds = 5 }).Single();
        Assert.Equal(FetchStatus.Downloaded, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {watch.Elapsed}");
    }

    [LinuxFact]
    public void ExistingFile_SameSize_IsSkipped_DifferentOne_GetsANumberedName()
    {
        byte[] content = Bytes(3000);
        Uri url = Server.Serve("/x.bin", new ServedFile { Content = content });
        File.WriteAllBytes(Path.Combine(Dir, "x.bin"), content);
        Assert.Equal(FetchStatus.Skipped, Fetch(Options(url)).Single().Status);

        File.WriteAllBytes(Path.Combine(Dir, "x.bin"), Bytes(10, seed: 9));
        FetchResult result = Fetch(Options(url)).Single();
        Assert.Equal(FetchStatus.Downloaded, result.Status);
        Assert.Equal(Path.Combine(Dir, "x (1).bin"), result.Path);
        Assert.Equal(content, File.ReadAllBytes(result.Path!));
        Assert.Equal(10, new FileInfo(Path.Combine(Dir, "x.bin")).Length);   // the old file is untouched
    }

    [LinuxFact]
    public void ExistingFile_WithSha256_IsSkippedOnlyIfItVerifies()
    {
        byte[] content = Bytes(3000);
        Uri url = Server.Serve("/y.bin", new ServedFile { Content = content });
        File.WriteAllBytes(Path.Combine(Dir, "y.bin"), content);
        Assert.Equal(FetchStatus.Skipped, Fetch(Options(url) with { Sha256 = Sha256(content) }).Single().Status);

        File.WriteAllBytes(Path.Combine(Dir, "y.bin"), Bytes(3000, seed: 5));   // same size, other bytes
        FetchResult result = Fetch(Options(url) with { Sha256 = Sha256(content) }).Single();
        Assert.Equal(FetchStatus.Downloaded, result.Status);
        Assert.Equal(Path.Combine(Dir, "y (1).bin"), result.Path);
    }

    [LinuxFact]
    public void TwoUrlsSuggestingOneName_GetTwoFiles()
    {
        Uri[] urls = [Server.Serve("/one/data.bin", new ServedFile { Content = Bytes(100, 1), Delay = TimeSpan.FromMilliseconds(100) }),
            Server.Serve("/two/data.bin", new ServedFile { Content = Bytes(100, 2), Delay = TimeSpan.FromMilliseconds(100) })];
        var results = Fetch(Options(urls) with { Concurrency = 2, PerHost = 2 });
        Assert.Equal(["data (1).bin", "data.bin"], results.Select(r => Path.GetFileName(r.Path!)).Order());
        Assert.Equal(Bytes(100, 1), File.ReadAllBytes(results[0].Path!));
        Assert.Equal(Bytes(100, 2), File.ReadAllBytes(results[1].Path!));
    }

    [LinuxFact]
    public void TwoUrlsSuggestingOneName_OneAfterTheOther_TheSecondIsNotTakenForTheFirstsFile()
    {
        // The first download's file has the second's size: with no digest, size alone would call it already here.
        Uri[] urls = [Server.Serve("/one/same.bin", new ServedFile { Content = Bytes(100, 1) }),
            Server.Serve("/two/same.bin", new ServedFile { Content = Bytes(100, 2) })];
        var results = Fetch(Options(urls) with { Concurrency = 1 });
        Assert.All(results, r => Assert.Equal(FetchStatus.Downloaded, r.Status));
        Assert.Equal(Bytes(100, 1), File.ReadAllBytes(Path.Combine(Dir, "same.bin")));
        Assert.Equal(Bytes(100, 2), File.ReadAllBytes(Path.Combine(Dir, "same (1).bin")));
    }

    [LinuxFact]
    public void TheSameUrlTwice_OneAfterTheOther_IsDownloadedOnce()
    {
        Uri url = Server.Serve("/twice.bin", new ServedFile { Content = Bytes(100, 3) });
        var results = Fetch(Options(url, url) with { Concurrency = 1 });
        Assert.Equal([FetchStatus.Downloaded, FetchStatus.Skipped], results.Select(r => r.Status));
        Assert.False(File.Exists(Path.Combine(Dir, "twice (1).bin")));
    }

    [LinuxFact]
    public void ContentDisposition_NameIsUsed_Sanitised_InsideTheOutputDirectory()
    {
        Uri[] urls = [Server.Serve("/d1", new ServedFile { Content = Bytes(10, 1), ContentDisposition = "attachment; filename*=UTF-8''na%C3%AFve.txt" }),
            Server.Serve("/d2", new ServedFile { Content = Bytes(10, 2), ContentDisposition = "attachment; filename=\"../../evil.sh\"" })];
        var results = Fetch(Options(urls));
        Assert.Equal(Path.Combine(Dir, "naïve.txt"), results[0].Path);
        Assert.Equal(Path.Combine(Dir, "evil.sh"), results[1].Path);
        Assert.False(File.Exists(Path.Combine(Dir, "..", "..", "evil.sh")));
    }

    [LinuxFact]
    public void ServiceUnavailable_IsRetried_WithRetryAfter()
    {
        Uri url = Server.Serve("/flaky.bin", new ServedFile { Content = Bytes(100), FailFirst = 2 });
        FetchResult result = Fetch(Options(url)).Single();
        Assert.Equal(FetchStatus.Downloaded, result.Status);
        Assert.Equal(3, result.Attempts);
    }

    [LinuxFact]
    public void Retries_RunOut_TheDownloadFails()
    {
        Uri url = Server.Serve("/down.bin", new ServedFile { Content = Bytes(100), FailFirst = 10 });
        FetchResult result = Fetch(Options(url) with { Retries = 2 }).Single();
        Assert.Equal(FetchStatus.Failed, result.Status);
        Assert.Equal(3, result.Attempts);
        Assert.Contains("HTTP 503", result.Error, StringComparison.Ordinal);
    }

    [LinuxFact]
    public void NotFound_FailsAtOnce_WithoutRetrying()
    {
        FetchResult result = Fetch(Options(Server.Url("/missing"))).Single();
        Assert.Equal(FetchStatus.Failed, result.Status);
        Assert.Equal(1, result.Attempts);
        Assert.Contains("404", result.Error, StringComparison.Ordinal);
    }

    [LinuxFact]
    public void RefusedConnection_IsRetried_ThenFails()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();   // nothing listens there now
        FetchResult result = Fetch(Options(new Uri($"http://127.0.0.1:{port}/x")) with { Retries = 1 }).Single();
        Assert.Equal(FetchStatus.Failed, result.Status);
        Assert.Equal(2, result.Attempts);
        Assert.Contains("connection failed", result.Error, StringComparison.Ordinal);
    }

    [LinuxFact]
    public void Rate_PacesTheRequests()
    {
        Uri[] urls = [.. Enumerable.Range(0, 6).Select(i => Server.Serve($"/r{i}", new ServedFile { Content = Bytes(10, i) }))];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var results = Fetch(Options(urls) with { Rate = new RequestRate(3, 1.0), Concurrency = 6, PerHost = 6 });
        Assert.All(results, r => Assert.Equal(FetchStatus.Downloaded, r.Status));
        // A burst of 3, then 3 per second: the last three wait about a second in all.
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.7), $"took {watch.Elapsed}");
    }

    [LinuxFact]
    public void Cancelled_KeepsThePart_AndTheNextRunResumesIt()
    {
        byte[] content = Bytes(1_000_000);
        var served = new ServedFile { Content = content, ChunkDelay = TimeSpan.FromMilliseconds(20) };
        Uri url = Server.Serve("/slow.bin", served);
        string part = Path.Combine(Dir, "slow.bin.part");
        SelectorLoops.Run(Aio.NewEventLoop(), async () =>
        {
            AioTask<IReadOnlyList<FetchResult>> fetch = Aio.CreateTask(Fetcher.RunAsync(Options(url), NoProgress.Instance));
            while (!File.Exists(part) || new FileInfo(part).Length < 100_000) await Aio.Sleep(0.02);
            fetch.Cancel();
            try
            {
                await fetch;
                Assert.Fail("the fetch finished despite the cancellation");
            }
            catch (CancelledError)
            {
            }
        }, limitSeconds: 60);
        Assert.True(new FileInfo(part).Length >= 100_000);
        Assert.True(File.Exists(part[..^".part".Length] + ".part.json"));
        Assert.False(File.Exists(Path.Combine(Dir, "slow.bin")));

        served.ChunkDelay = TimeSpan.Zero;
        FetchResult result = Fetch(Options(url)).Single();
        Assert.Equal(FetchStatus.Downloaded, result.Status);
        Assert.True(result.Resumed);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(Dir, "slow.bin")));
        Assert.Equal(["slow.bin"], Directory.GetFiles(Dir).Select(Path.GetFileName));
    }

    /// <summary>The download failed for <paramref name="reason"/> and left nothing in the directory, not even a .part.</summary>
    private void AssertFailedWithNothingWritten(FetchResult result, string reason)
    {
        Assert.Equal(FetchStatus.Failed, result.Status);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Dir));
    }

    /// <summary>Options for <paramref name="urls"/> into the test's directory, with short backoffs.</summary>
    private FetchOptions Options(params Uri[] urls) =>
        new() { Urls = urls, OutDir = Dir, BackoffBaseSeconds = 0.01, BackoffCapSeconds = 0.05, TimeoutSeconds = 20 };

    /// <summary>Runs the engine on a fresh loop, under a watchdog.</summary>
    internal static IReadOnlyList<FetchResult> Fetch(FetchOptions options) =>
        SelectorLoops.Run(Aio.NewEventLoop(), () => Fetcher.RunAsync(options, NoProgress.Instance), limitSeconds: 60);

    /// <summary>Deterministic pseudo-random bytes.</summary>
    internal static byte[] Bytes(int count, int seed = 0)
    {
        byte[] bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    internal static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
