using System.Net;
using System.Net.Security;
using System.Security.Authentication;

namespace Asyncio.Http.Tests;

/// <summary>
/// HTTPS and HTTP/2: certificates are verified by default (an untrusted one fails with the TLS error inside), a
/// validation callback in <see cref="ClientSessionOptions.SslOptions"/> lets one through (pinned, or anything:
/// aiohttp's <c>ssl=False</c>); HTTP/2 is negotiated via ALPN unless <see cref="ClientSessionOptions.VersionPolicy"/>
/// keeps HTTP/1.1, and concurrent HTTP/2 requests share one connection.
/// </summary>
public sealed class TlsTests(TlsTestServer server) : IClassFixture<TlsTestServer>
{
    [Fact]
    public void UntrustedCertificate_FailsByDefault_WithTheTlsErrorInside() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        var error = await Assert.ThrowsAnyAsync<HttpRequestException>(async () => await session.GetAsync(server.Url + "proto"));
        Assert.Equal(HttpRequestError.SecureConnectionError, error.HttpRequestError);
        Assert.Contains("SSL connection could not be established", error.Message, StringComparison.Ordinal);
        var tls = Assert.IsType<AuthenticationException>(error.InnerException);
        Assert.Contains("certificate", tls.Message, StringComparison.OrdinalIgnoreCase);
    });

    [Fact]
    public void ValidationCallback_PinningTheCertificate_LetsItThrough() => HttpLoop.Run(async () =>
    {
        string thumbprint = server.Certificate.Thumbprint;
        var errorsSeen = SslPolicyErrors.None;
        await using var session = new ClientSession(new ClientSessionOptions
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    errorsSeen = errors;
                    return certificate is not null && certificate.GetCertHashString() == thumbprint;
                },
            },
        });
        await using ClientResponse resp = await session.GetAsync(server.Url + "proto");
        Assert.Equal(200, resp.Status);
        Assert.True(errorsSeen.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors));
    });

    [Fact]
    public void ValidationOff_LikeAiohttpsSslFalse_AcceptsAnyCertificate() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { SslOptions = AcceptAny() });
        await using ClientResponse resp = await session.GetAsync(server.Url + "proto");
        Assert.Equal(200, resp.Status);
    });

    [Fact]
    public void ByDefault_Http2_WhenTheServerOffersItThroughAlpn() =>
        AssertSpeaks(new ClientSessionOptions { SslOptions = AcceptAny() }, HttpVersion.Version20, "HTTP/2 ");

    [Fact]
    public void Http11Exact_StaysOnHttp11_AsAiohttp() => AssertSpeaks(new ClientSessionOptions
    {
        SslOptions = AcceptAny(), HttpVersion = HttpVersion.Version11, VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    }, HttpVersion.Version11, "HTTP/1.1 ");

    [Fact]
    public void Http2Exact_IsNegotiatedThroughAlpn() => AssertSpeaks(new ClientSessionOptions
    {
        SslOptions = AcceptAny(), HttpVersion = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    }, HttpVersion.Version20, "HTTP/2 ");

    /// <summary>A session with <paramref name="options"/> gets <c>/proto</c> over <paramref name="version"/>, as the server saw it too.</summary>
    private void AssertSpeaks(ClientSessionOptions options, Version version, string serverSaw) => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(options);
        await using ClientResponse resp = await session.GetAsync(server.Url + "proto");
        Assert.Equal(version, resp.Version);
        Assert.StartsWith(serverSaw, await resp.TextAsync(), StringComparison.Ordinal);
    });

    [Fact]
    public void Http2_ConcurrentRequests_ShareOneConnection() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { SslOptions = AcceptAny(), HttpVersion = HttpVersion.Version20 });
        async Coroutine<string> Get()
        {
            await using ClientResponse resp = await session.GetAsync(server.Url + "proto");
            return await resp.TextAsync();
        }
        var answers = await Aio.Gather(Get(), Get(), Get(), Get(), Get());
        Assert.All(answers, a => Assert.StartsWith("HTTP/2 ", a, StringComparison.Ordinal));
        Assert.Single(answers.Select(a => a.Split(' ')[1]).Distinct());   // multiplexed on one connection
    });

    /// <summary>No verification at all: only for a test server whose certificate is known to be self-signed.</summary>
    private static SslClientAuthenticationOptions AcceptAny() =>
#pragma warning disable CA5359
        new() { RemoteCertificateValidationCallback = static (_, _, _, _) => true };
#pragma warning restore CA5359
}
