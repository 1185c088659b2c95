using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Asyncio.Cli.Fetch;

/// <summary>What a <see cref="DemoServer"/> does wrong, on purpose, the first time a file is asked for.</summary>
internal enum DemoFault
{
    /// <summary>Always answers well.</summary>
    None,

    /// <summary>A <c>500 Internal Server Error</c> first, then the file.</summary>
    ServerErrorOnce,

    /// <summary>The first answer's connection is reset after <see cref="DemoFile.CutAt"/> bytes of the body.</summary>
    ResetMidBody,

    /// <summary>Every answer waits <see cref="DemoServer.SlowStartSeconds"/> before its headers.</summary>
    SlowStart,

    /// <summary>A <c>429 Too Many Requests</c> with <c>Retry-After: 1</c> first, then the file.</summary>
    TooManyRequestsOnce,

    /// <summary>A <c>503 Service Unavailable</c> with <c>Retry-After: 1</c> first, then the file.</summary>
    UnavailableOnce,
}

/// <summary>A file a <see cref="DemoServer"/> serves.</summary>
/// <param name="Content">The bytes.</param>
/// <param name="Fault">What goes wrong the first time.</param>
/// <param name="CutAt">For <see cref="DemoFault.ResetMidBody"/>: the body bytes sent before the reset (default: half).</param>
internal sealed record DemoFile(byte[] Content, DemoFault Fault = DemoFault.None, int? CutAt = null)
{
    /// <summary>The strong ETag: a digest of the content, so a changed file gets another one.</summary>
    public string ETag { get; } = $"\"{Convert.ToHexStringLower(SHA256.HashData(Content))[..16]}\"";

    /// <summary>The SHA-256 of the content (lowercase hex), for a manifest.</summary>
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Content));
}

/// <summary>
/// A small file server for the demos and <c>aio fetch --demo</c>: ASP.NET Core's Kestrel, in-process, on 127.0.0.1
/// on a free port, quiet (no logging, no console lifetime: Ctrl-C stays the fetch's). <c>GET</c> only,
/// <c>Range: bytes=N-</c> with <c>If-Range</c> (206, or 200 when the validator changed, 416 past the end), a strong
/// <c>ETag</c>, bodies sent in throttled chunks, and the faults of <see cref="DemoFault"/>.
/// </summary>
internal sealed class DemoServer : IAsyncDisposable, IDisposable
{
    /// <summary>How long a <see cref="DemoFault.SlowStart"/> answer waits before its headers.</summary>
    public const double SlowStartSeconds = 1.5;

    /// <summary>The size of each throttled write.</summary>
    private const int ChunkSize = 16 * 1024;

    /// <summary>How long a reset answer waits after its last write: an abort discards what is still queued.</summary>
    private static readonly TimeSpan s_beforeReset = TimeSpan.FromMilliseconds(100);

    private readonly IReadOnlyDictionary<string, DemoFile> _files;
    private readonly double _bytesPerSecond;
    private readonly Dictionary<string, int> _answers = [];
    private readonly List<string> _log = [];

    /// <summary>Cancelled when the server is disposed: ends the answers still asleep (throttle, slow start).</summary>
    private readonly CancellationTokenSource _stopping = new();
    private readonly WebApplication _app;
    private int _disposed;

    private DemoServer(IReadOnlyDictionary<string, DemoFile> files, double bytesPerSecond)
    {
        _files = files;
        _bytesPerSecond = bytesPerSecond;
        // The empty builder: no configuration files, no logging providers, nothing but what is added here.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        // The default console lifetime would take Ctrl-C (and SIGTERM) to stop the server instead of the fetch.
        builder.Services.AddSingleton<IHostLifetime, NoLifetime>();
        _app = builder.Build();
        _app.Run(Answer);
    }

    /// <summary>Where the server listens.</summary>
    public IPEndPoint Address { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>The files served, by path.</summary>
    public IReadOnlyDictionary<string, DemoFile> Files => _files;

    /// <summary>One line per request answered: <c>GET /path [Range] -> status</c>, in order.</summary>
    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log) return [.. _log];
        }
    }

    /// <summary>The files of <c>aio fetch --demo</c>: generated content, one fault each (and one without).</summary>
    public static IReadOnlyDictionary<string, DemoFile> DemoSite() => new Dictionary<string, DemoFile>
    {
        ["/images/cat.jpg"] = new(Generated("cat.jpg", 384 * 1024), DemoFault.ServerErrorOnce),
        ["/images/dog.jpg"] = new(Generated("dog.jpg", 512 * 1024), DemoFault.ResetMidBody),
        ["/images/owl.png"] = new(Generated("owl.png", 256 * 1024), DemoFault.SlowStart),
        ["/data/report.csv"] = new(Generated("report.csv", 192 * 1024), DemoFault.TooManyRequestsOnce),
        ["/data/archive.bin"] = new(Generated("archive.bin", 640 * 1024), DemoFault.UnavailableOnce),
        ["/data/readme.txt"] = new("served by aio fetch --demo\n"u8.ToArray()),
    };

    /// <summary>Deterministic pseudo-random bytes, the same for the same name and size.</summary>
    public static byte[] Generated(string name, int size)
    {
        var bytes = new byte[size];
        // A hash of our own: string.GetHashCode differs from run to run.
        new Random(name.Aggregate(17, (h, c) => unchecked((h * 31) + c))).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Starts serving <paramref name="files"/>; returns once the server listens. Kestrel runs on pool threads.</summary>
    /// <param name="files">The files, by path (starting with <c>/</c>).</param>
    /// <param name="bytesPerSecond">The throttle: each answer's body is sent at most this fast (0: no limit).</param>
    public static DemoServer Start(IReadOnlyDictionary<string, DemoFile> files, double bytesPerSecond = 0)
    {
        var server = new DemoServer(files, bytesPerSecond);
        // From a pool thread: a caller's synchronization context (a loop's) must not be needed to finish.
        Task.Run(server.ListenAsync).GetAwaiter().GetResult();
        return server;
    }

    /// <summary>Starts serving <paramref name="files"/> without blocking the running loop.</summary>
    /// <inheritdoc cref="Start" path="/param"/>
    public static async Coroutine<DemoServer> StartAsync(IReadOnlyDictionary<string, DemoFile> files, double bytesPerSecond = 0)
    {
        var server = new DemoServer(files, bytesPerSecond);
        await Task.Run(server.ListenAsync);
        return server;
    }

    /// <summary>The URL of a path on this server.</summary>
    public Uri UrlOf(string path) => new($"http://{Address}{path}");

    /// <summary>Stops listening, ends the answers in progress (a client interrupted mid-answer) and the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _stopping.CancelAsync();
        // Connections still open after a second (a client that keeps an idle one) are closed without waiting.
        using (var grace = new CancellationTokenSource(TimeSpan.FromSeconds(1))) await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => Task.Run(() => DisposeAsync().AsTask()).GetAwaiter().GetResult();

    private async Task ListenAsync()
    {
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new IPEndPoint(IPAddress.Loopback, new Uri(address).Port);
    }

    /// <summary>Answers one request; a client that goes away mid-answer only ends that answer.</summary>
    private async Task Answer(HttpContext context)
    {
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await Respond(context, ending.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client went away, or the server is stopping: nothing left to answer.
            context.Abort();
        }
    }

    /// <summary>Writes the answer to the request of <paramref name="context"/>, with the file's fault.</summary>
    private async Task Respond(HttpContext context, CancellationToken token)
    {
        HttpRequest request = context.Request;
        HttpResponse response = context.Response;
        string path = request.Path.Value ?? "/";
        string? range = request.Headers.Range.FirstOrDefault();
        string line = $"{request.Method} {path}{(range is null ? "" : $" [{range}]")}";
        if (!HttpMethods.IsGet(request.Method))
        {
            Head(response, line, StatusCodes.Status405MethodNotAllowed);
            response.Headers.Allow = "GET";
            return;
        }
        if (!_files.TryGetValue(path, out DemoFile? file))
        {
            Head(response, line, StatusCodes.Status404NotFound);
            return;
        }
        int answer;
        lock (_answers) answer = _answers[path] = _answers.GetValueOrDefault(path) + 1;
        switch (file.Fault)
        {
            case DemoFault.ServerErrorOnce when answer == 1:
                Head(response, line, StatusCodes.Status500InternalServerError);
                return;
            case DemoFault.TooManyRequestsOnce when answer == 1:
                Head(response, line, StatusCodes.Status429TooManyRequests);
                response.Headers.RetryAfter = "1";
                return;
            case DemoFault.UnavailableOnce when answer == 1:
                Head(response, line, StatusCodes.Status503ServiceUnavailable);
                response.Headers.RetryAfter = "1";
                return;
            case DemoFault.SlowStart:
                await Task.Delay(TimeSpan.FromSeconds(SlowStartSeconds), token);
                break;
        }
        long length = file.Content.Length;
        long from = 0;
        // If-Range: the range only while the file is still the one the client has; otherwise the whole file.
        string? ifRange = request.Headers.IfRange.FirstOrDefault();
        if (range is not null && (ifRange is null || ifRange == file.ETag) && ParseRangeStart(range) is { } start)
        {
            if (start >= length)
            {
                Head(response, line, StatusCodes.Status416RangeNotSatisfiable);
                response.Headers.ContentRange = $"bytes */{length}";
                return;
            }
            from = start;
        }
        bool reset = file.Fault == DemoFault.ResetMidBody && answer == 1;
        Head(response, line, from > 0 ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK, length - from, reset ? "reset" : null);
        response.Headers.ETag = file.ETag;
        response.Headers.AcceptRanges = "bytes";
        if (from > 0) response.Headers.ContentRange = $"bytes {from}-{length - 1}/{length}";
        long end = reset ? Math.Min(length, from + (file.CutAt ?? (int)(length / 2))) : length;
        await SendBody(response, file.Content.AsMemory((int)from, (int)(end - from)), token);
        if (!reset) return;
        // Abort, not an end: the client sees the connection reset before the announced length.
        await Task.Delay(s_beforeReset, token);
        context.Abort();
    }

    /// <summary>Sends the body in chunks, no faster than the throttle.</summary>
    private async Task SendBody(HttpResponse response, ReadOnlyMemory<byte> body, CancellationToken token)
    {
        for (int sent = 0; sent < body.Length; sent += ChunkSize)
        {
            ReadOnlyMemory<byte> chunk = body.Slice(sent, Math.Min(ChunkSize, body.Length - sent));
            await response.Body.WriteAsync(chunk, token);
            await response.Body.FlushAsync(token);
            if (_bytesPerSecond > 0) await Task.Delay(TimeSpan.FromSeconds(chunk.Length / _bytesPerSecond), token);
        }
    }

    /// <summary>
    /// Sets the status and length, and logs the answer now: a client may have read all of it before this answer
    /// ends (it sleeps after the last chunk).
    /// </summary>
    /// <param name="label">What the log says instead of the status code (a reset answer).</param>
    private void Head(HttpResponse response, string line, int status, long contentLength = 0, string? label = null)
    {
        lock (_log) _log.Add($"{line} -> {label ?? status.ToString(CultureInfo.InvariantCulture)}");
        response.StatusCode = status;
        response.ContentLength = contentLength;
    }

    /// <summary>The N of <c>bytes=N-</c>; null for any other form (answered with the whole file).</summary>
    private static long? ParseRangeStart(string range) =>
        range.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) && range.EndsWith('-')
        && long.TryParse(range.AsSpan(6, range.Length - 7), NumberStyles.None, CultureInfo.InvariantCulture, out long start)
            ? start
            : null;

    /// <summary>A host lifetime that does nothing: the server is started and stopped by <see cref="DemoServer"/> alone.</summary>
    private sealed class NoLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
