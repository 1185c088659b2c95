using Asyncio.Cli.Fetch;
using Asyncio.Tests.Executors;

namespace Asyncio.Tests.Cli;

/// <summary>
/// TLS: <c>aio fetch</c> verifies certificates by default (a self-signed one fails at once, without retries), and
/// <c>--insecure</c> accepts it. Also: no file of the output directory stays open after a run.
/// </summary>
public sealed class FetchTlsTests() : FetchSandbox(FetchTestServer.SelfSignedCertificate())
{
    [LinuxFact]
    public void UntrustedCertificate_FailsWithoutRetrying()
    {
        Uri url = Server.Serve("/a.bin", new ServedFile { Content = FetchTests.Bytes(100) });
        Assert.Equal("https", url.Scheme);
        FetchResult result = FetchTests.Fetch(new FetchOptions { Urls = [url], OutDir = Dir, BackoffBaseSeconds = 0.01 }).Single();
        Assert.Equal(FetchStatus.Failed, result.Status);
        Assert.Equal(1, result.Attempts);
        Assert.Empty(Directory.GetFiles(Dir));
    }

    [LinuxFact]
    public void Insecure_AcceptsTheCertificate()
    {
        byte[] content = FetchTests.Bytes(100);
        Uri url = Server.Serve("/a.bin", new ServedFile { Content = content });
        FetchResult result = FetchTests.Fetch(new FetchOptions { Urls = [url], OutDir = Dir, Insecure = true }).Single();
        Assert.Equal(FetchStatus.Downloaded, result.Status);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(Dir, "a.bin")));
    }

    [LinuxFact]
    public void AfterARun_NoFileOfTheDirectoryIsOpen()
    {
        Uri[] urls = [.. Enumerable.Range(0, 4).Select(i => Server.Serve($"/f{i}", new ServedFile { Content = FetchTests.Bytes(70_000, i) }))];
        var results = FetchTests.Fetch(new FetchOptions { Urls = urls, OutDir = Dir, Insecure = true });
        Assert.All(results, r => Assert.Equal(FetchStatus.Downloaded, r.Status));
        var open = Directory.GetFiles("/proc/self/fd")
            .Select(fd => new FileInfo(fd).LinkTarget)
            .Where(target => target is not null && target.StartsWith(Dir, StringComparison.Ordinal))
            .ToList();
        Assert.Empty(open);
    }
}
