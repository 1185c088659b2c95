using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Asyncio.Tests.Cli;

/// <summary>A file the test server serves, with the faults a test asks for.</summary>
internal sealed class ServedFile
{
    /// <summary>The bytes.</summary>
    public required byte[] Content { get; set; }

    /// <summary>The ETag sent (and compared with If-Range), or null for none.</summary>
    public string? ETag { get; set; } = "\"v1\"";

    /// <summary>True to answer <c>Range</c> requests with 206; false to ignore them (200, whole file).</summary>
    public bool Ranges { get; set; } = true;

    /// <summary>The <c>Content-Disposition</c> header, or null.</summary>
    public string? ContentDisposition { get; set; }

    /// <summary>The first this many requests get <see cref="FailStatus"/> with <see cref="RetryAfter"/>.</summary>
    public int FailFirst { get; set; }

    /// <summary>The status of a failed request.</summary>
    public int FailStatus { get; set; } = 503;

    /// <summary>The <c>Retry-After</c> of a failed request.</summary>
    public string RetryAfter { get; set; } = "0";

    /// <summary>True to send no <c>Content-Length</c> (a chunked body of unannounced length).</summary>
    public bool Chunked { get; set; }

    /// <summary>True for a cut body to stall (send nothing more, keep the connection) instead of dropping it.</summary>
    public bool Stall { get; set; }

    /// <summary>The first this many bodies are cut (connection aborted) after <see cref="DropAfter"/> bytes.</summary>
    public int DropFirst { get; set; }

    /// <summary>Where a cut body stops.</summary>
    public int DropAfter { get; set; }

    /// <summary>A pause after each 16 KiB written (a slow server).</summary>
    public TimeSpan ChunkDelay { get; set; }

    /// <summary>A pause before answering (to see overlapping requests).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>When set, every request is answered <c>302 Found</c> with this <c>Location</c> (a path of the server makes a loop).</summary>
    public string? RedirectTo { get; set; }
}

/// <summary>One request as the server saw it.</summary>
internal sealed record SeenRequest(string Host, string Path, string? Range, string? IfRange, int Status, string? UserAgent = null, string? AcceptEncoding = null);

/// <summary>
/// Kestrel on 127.0.0.1 and 127.0.0.2 (two hosts for the per-host limit), free ports, serving <see cref="Files"/>
/// with ranges, ETags and faults; it records every request and the most requests in flight, in all and per host.
/// </summary>
internal sealed class FetchTestServer : IAsyncDisposable
{
    private const int Chunk = 16 * 1024;

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _inFlight = new();
    private readonly ConcurrentDictionary<string, int> _maxInFlight = new();
    private int _inFlightAll;
    private int _maxInFlightAll;

    private FetchTestServer(X509Certificate2? certificate)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel =>
        {
            if (certificate is not null)
            {
                kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate));
                return;
            }
            kestrel.Listen(IPAddress.Loopback, 0);
            if (OperatingSystem.IsLinux()) kestrel.Listen(IPAddress.Parse("127.0.0.2"), 0);   // all of 127/8 is loopback
        });
        _app = builder.Build();
        _app.Run(Handle);
    }

    /// <summary>The files by path (<c>/a.bin</c>).</summary>
    public ConcurrentDictionary<string, ServedFile> Files { get; } = new();

    /// <summary>Every request, in arrival order.</summary>
    public ConcurrentQueue<SeenRequest> Requests { get; } = new();

    /// <summary>The most requests in flight at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlightAll);

    /// <summary>The base addresses: 127.0.0.1's first.</summary>
    public IReadOnlyList<Uri> Bases { get; private set; } = [];

    /// <summary>Starts a server: plain HTTP, or HTTPS with <paramref name="certificate"/> (127.0.0.1 only).</summary>
    public static FetchTestServer Start(X509Certificate2? certificate = null)
    {
        var server = new FetchTestServer(certificate);
        server._app.StartAsync().GetAwaiter().GetResult();
        server.Bases = server._app.Urls.Select(a => new Uri(a)).OrderBy(u => u.Host, StringComparer.Ordinal).ToList();
        return server;
    }

    /// <summary>The URL of <paramref name="path"/> on host <paramref name="host"/> (0: 127.0.0.1, 1: 127.0.0.2).</summary>
    public Uri Url(string path, int host = 0) => new(Bases[host], path);

    /// <summary>Adds a file and returns its URL.</summary>
    public Uri Serve(string path, ServedFile file, int host = 0)
    {
        Files[path] = file;
        return Url(path, host);
    }

    /// <summary>The most requests in flight at once to <paramref name="host"/> (0 or 1).</summary>
    public int MaxInFlightAt(int host) => _maxInFlight.GetValueOrDefault(Bases[host].Authority);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task Handle(HttpContext context)
    {
        string host = context.Request.Host.Value ?? "";
        int all = Interlocked.Increment(ref _inFlightAll);
        int here = _inFlight.AddOrUpdate(host, 1, (_, n) => n + 1);
        Raise(ref _maxInFlightAll, all);
        _maxInFlight.AddOrUpdate(host, here, (_, n) => Math.Max(n, here));
        try
        {
            await Answer(context);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlightAll);
            _inFlight.AddOrUpdate(host, 0, (_, n) => n - 1);
            Requests.Enqueue(new SeenRequest(host, context.Request.Path.Value ?? "", context.Request.Headers.Range.FirstOrDefault(),
                context.Request.Headers.IfRange.FirstOrDefault(), context.Response.StatusCode,
                context.Request.Headers.UserAgent.ToString(), context.Request.Headers.AcceptEncoding.ToString()));
        }
    }

    private async Task Answer(HttpContext context)
    {
        HttpResponse response = context.Response;
        if (!Files.TryGetValue(context.Request.Path.Value ?? "", out ServedFile? file))
        {
            response.StatusCode = 404;
            return;
        }
        if (file.Delay > TimeSpan.Zero) await Task.Delay(file.Delay, context.RequestAborted);
        if (file.RedirectTo is not null)
        {
            response.StatusCode = 302;
            response.Headers.Location = file.RedirectTo;
            return;
        }
        lock (file)
        {
            if (file.FailFirst > 0)
            {
                file.FailFirst--;
                response.StatusCode = file.FailStatus;
                response.Headers.RetryAfter = file.RetryAfter;
                return;
            }
        }
        byte[] content = file.Content;
        if (file.ETag is not null) response.Headers.ETag = file.ETag;
        if (file.ContentDisposition is not null) response.Headers.ContentDisposition = file.ContentDisposition;
        long from = 0;
        string? range = context.Request.Headers.Range.FirstOrDefault();
        string? ifRange = context.Request.Headers.IfRange.FirstOrDefault();
        if (file.Ranges && range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-')
            && (ifRange is null || ifRange == file.ETag))
        {
            from = long.Parse(range["bytes=".Length..^1], CultureInfo.InvariantCulture);
            if (from >= content.Length)
            {
                response.StatusCode = 416;
                response.Headers.ContentRange = $"bytes */{content.Length}";
                return;
            }
            response.StatusCode = 206;
            response.Headers.ContentRange = $"bytes {from}-{content.Length - 1}/{content.Length}";
        }
        if (file.Ranges) response.Headers.AcceptRanges = "bytes";
        if (!file.Chunked) response.ContentLength = content.Length - from;
        int limit = content.Length;
        lock (file)
        {
            if (file.DropFirst > 0)
            {
                file.DropFirst--;
                limit = (int)Math.Min(content.Length, from + file.DropAfter);
            }
        }
        for (long at = from; at < limit; at += Chunk)
        {
            int count = (int)Math.Min(Chunk, limit - at);
            await response.Body.WriteAsync(content.AsMemory((int)at, count), context.RequestAborted);
            await response.Body.FlushAsync(context.RequestAborted);
            if (file.ChunkDelay > TimeSpan.Zero) await Task.Delay(file.ChunkDelay, context.RequestAborted);
        }
        if (limit < content.Length && file.Stall)
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        }
        else if (limit < content.Length)
        {
            // Let the bytes written reach the client (an abort discards what is still queued), then drop the connection.
            await Task.Delay(200);
            context.Abort();
        }
    }

    /// <summary>A self-signed certificate for 127.0.0.1, which no client trusts.</summary>
    public static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12 so that the key is usable by the TLS stack.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }

    private static void Raise(ref int max, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref max)) && Interlocked.CompareExchange(ref max, value, seen) != seen) { }
    }
}
