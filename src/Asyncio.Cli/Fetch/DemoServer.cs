using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

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
/// A small, faithful-enough HTTP/1.1 file server on the loop (<c>Aio.StartServer</c>) for the demos and
/// <c>aio fetch --demo</c>: <c>GET</c> only, one request per connection, <c>Range: bytes=N-</c> with
/// <c>If-Range</c> (206, or 200 when the validator changed, 416 past the end), a strong <c>ETag</c>, bodies sent in
/// throttled chunks, and the faults of <see cref="DemoFault"/>. It listens on 127.0.0.1 on a free port.
/// </summary>
internal sealed class DemoServer : IAsyncDisposable
{
    /// <summary>How long a <see cref="DemoFault.SlowStart"/> answer waits before its headers.</summary>
    public const double SlowStartSeconds = 1.5;

    /// <summary>The size of each throttled write.</summary>
    private const int ChunkSize = 16 * 1024;

    private readonly IReadOnlyDictionary<string, DemoFile> _files;
    private readonly double _bytesPerSecond;
    private readonly Dictionary<string, int> _answers = [];
    private readonly List<string> _log = [];

    /// <summary>The answers in progress, cancelled when the server is disposed.</summary>
    private readonly HashSet<AioTask> _answering = [];
    private Server? _server;

    private DemoServer(IReadOnlyDictionary<string, DemoFile> files, double bytesPerSecond)
    {
        _files = files;
        _bytesPerSecond = bytesPerSecond;
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

    /// <summary>Starts serving <paramref name="files"/> on the running loop.</summary>
    /// <param name="files">The files, by path (starting with <c>/</c>).</param>
    /// <param name="bytesPerSecond">The throttle: each answer's body is sent at most this fast (0: no limit).</param>
    public static async Coroutine<DemoServer> StartAsync(IReadOnlyDictionary<string, DemoFile> files, double bytesPerSecond = 0)
    {
        var demo = new DemoServer(files, bytesPerSecond);
        demo._server = await Aio.StartServer(demo.Answer, "127.0.0.1", 0);
        demo.Address = (IPEndPoint)demo._server.Sockets[0].LocalEndPoint!;
        return demo;
    }

    /// <summary>Starts serving on a loop of its own, on a background thread, for callers that run their own loop.</summary>
    /// <param name="files">The files, by path.</param>
    /// <param name="bytesPerSecond">The throttle (0: no limit).</param>
    public static BackgroundDemoServer StartInBackground(IReadOnlyDictionary<string, DemoFile> files, double bytesPerSecond = 0) =>
        new(files, bytesPerSecond);

    /// <summary>The URL of a path on this server.</summary>
    public Uri UrlOf(string path) => new($"http://{Address}{path}");

    /// <summary>Stops listening, aborts the connections still open (a client interrupted mid-answer) and waits for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_server is null) return;
        _server.Close();
        _server.AbortClients();
        // An answer may be asleep (throttle, slow start) for a client that left: end it rather than leave it pending.
        List<AioTask> answering = [.. _answering];
        foreach (AioTask task in answering) task.Cancel();
        if (answering.Count > 0) await Aio.Wait(answering);
        await _server.DisposeAsync();
    }

    /// <summary>Answers one request; a client that goes away mid-answer only ends that answer.</summary>
    private async Coroutine Answer(AsyncStreamReader reader, AsyncStreamWriter writer)
    {
        AioTask task = Aio.CurrentTask()!;
        _answering.Add(task);
        try
        {
            string[] head = Encoding.ASCII.GetString(await reader.ReadUntilAsync("\r\n\r\n"u8.ToArray())).Split("\r\n");
            string[] requestLine = head[0].Split(' ');
            var headers = head.Skip(1).Where(h => h.Contains(':', StringComparison.Ordinal))
                .ToLookup(h => h[..h.IndexOf(':', StringComparison.Ordinal)].Trim(), h => h[(h.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim(), StringComparer.OrdinalIgnoreCase);
            string path = requestLine.Length > 1 ? requestLine[1] : "/";
            string? range = headers["Range"].FirstOrDefault();
            string request = $"{requestLine[0]} {path}{(range is null ? "" : $" [{range}]")}";
            if (!await Respond(request, path, range, headers["If-Range"].FirstOrDefault(), writer)) return;
            await writer.DrainAsync();
            writer.Close();
            await writer.WaitClosedAsync();
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or LimitOverrunError)
        {
            // The client went away (or sent no complete request): nothing left to answer.
            writer.Transport.Abort();
        }
        finally
        {
            _answering.Remove(task);
        }
    }

    /// <summary>Writes the answer to <paramref name="request"/>; returns false when the connection was reset on purpose.</summary>
    private async Coroutine<bool> Respond(string request, string path, string? range, string? ifRange, AsyncStreamWriter writer)
    {
        string method = request[..request.IndexOf(' ', StringComparison.Ordinal)];
        if (method != "GET")
        {
            Head(writer, request, "405 Method Not Allowed", 0, "Allow: GET\r\n");
            return true;
        }
        if (!_files.TryGetValue(path, out DemoFile? file))
        {
            Head(writer, request, "404 Not Found", 0, "");
            return true;
        }
        int answer = _answers[path] = _answers.GetValueOrDefault(path) + 1;
        switch (file.Fault)
        {
            case DemoFault.ServerErrorOnce when answer == 1:
                Head(writer, request, "500 Internal Server Error", 0, "");
                return true;
            case DemoFault.TooManyRequestsOnce when answer == 1:
                Head(writer, request, "429 Too Many Requests", 0, "Retry-After: 1\r\n");
                return true;
            case DemoFault.UnavailableOnce when answer == 1:
                Head(writer, request, "503 Service Unavailable", 0, "Retry-After: 1\r\n");
                return true;
            case DemoFault.SlowStart:
                await Aio.Sleep(SlowStartSeconds);
                break;
        }
        long length = file.Content.Length;
        long from = 0;
        // If-Range: the range only while the file is still the one the client has; otherwise the whole file.
        if (range is not null && (ifRange is null || ifRange == file.ETag) && ParseRangeStart(range) is { } start)
        {
            if (start >= length)
            {
                Head(writer, request, "416 Range Not Satisfiable", 0, $"Content-Range: bytes */{length}\r\n");
                return true;
            }
            from = start;
        }
        bool reset = file.Fault == DemoFault.ResetMidBody && answer == 1;
        string validators = $"ETag: {file.ETag}\r\nAccept-Ranges: bytes\r\n";
        string? label = reset ? "reset" : null;
        if (from > 0) Head(writer, request, "206 Partial Content", length - from, $"{validators}Content-Range: bytes {from}-{length - 1}/{length}\r\n", label);
        else Head(writer, request, "200 OK", length, validators, label);
        long end = reset ? Math.Min(length, from + (file.CutAt ?? (int)(length / 2))) : length;
        await SendBody(writer, file.Content.AsMemory((int)from, (int)(end - from)));
        if (!reset) return true;
        // Abort, not Close: the client sees a reset connection, not a clean end.
        writer.Transport.Abort();
        return false;
    }

    /// <summary>Sends the body in chunks, no faster than the throttle.</summary>
    private async Coroutine SendBody(AsyncStreamWriter writer, ReadOnlyMemory<byte> body)
    {
        for (int sent = 0; sent < body.Length; sent += ChunkSize)
        {
            ReadOnlyMemory<byte> chunk = body.Slice(sent, Math.Min(ChunkSize, body.Length - sent));
            writer.Write(chunk.Span);
            await writer.DrainAsync();
            if (_bytesPerSecond > 0) await Aio.Sleep(chunk.Length / _bytesPerSecond);
        }
    }

    /// <summary>
    /// Writes the status line and headers, and logs the answer now: a client may have read all of it before this
    /// coroutine runs again (it sleeps after the last chunk).
    /// </summary>
    /// <param name="label">What the log says instead of the status code (a reset answer).</param>
    private void Head(AsyncStreamWriter writer, string request, string status, long contentLength, string extra, string? label = null)
    {
        lock (_log) _log.Add($"{request} -> {label ?? status[..3]}");
        writer.Write(Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status}\r\nContent-Length: {contentLength}\r\n{extra}Connection: close\r\n\r\n"));
    }

    /// <summary>The N of <c>bytes=N-</c>; null for any other form (answered with the whole file).</summary>
    private static long? ParseRangeStart(string range) =>
        range.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) && range.EndsWith('-')
        && long.TryParse(range.AsSpan(6, range.Length - 7), NumberStyles.None, CultureInfo.InvariantCulture, out long start)
            ? start
            : null;
}

/// <summary>A <see cref="DemoServer"/> on its own loop and thread (<c>aio fetch --demo</c> runs the fetch loop itself).</summary>
internal sealed class BackgroundDemoServer : IDisposable
{
    private readonly Thread _thread;
    private readonly TaskCompletionSource<DemoServer> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private EventLoop? _loop;
    private Future<object?>? _stop;

    /// <summary>What ended the loop after the server started, rethrown by <see cref="Dispose"/>.</summary>
    private Exception? _failure;

    internal BackgroundDemoServer(IReadOnlyDictionary<string, DemoFile> files, double bytesPerSecond)
    {
        _thread = new Thread(() =>
        {
            EventLoop loop = Aio.NewEventLoop();
            try
            {
                loop.RunUntilComplete(Serve(loop, files, bytesPerSecond));
            }
            catch (Exception e)
            {
                if (!_started.TrySetException(e)) _failure = e;
            }
            finally
            {
                loop.Close();
            }
        })
        { IsBackground = true, Name = "aio demo server" };
        _thread.Start();
        Server = _started.Task.GetAwaiter().GetResult();
    }

    /// <summary>The server (its address, files and log).</summary>
    public DemoServer Server { get; }

    /// <summary>Stops the server and its loop, and waits for the thread.</summary>
    public void Dispose()
    {
        _loop!.CallSoonThreadsafe(() => _stop!.SetResult(null));
        _thread.Join();
        if (_failure is not null) throw new InvalidOperationException("the demo server failed", _failure);
    }

    private async Coroutine Serve(EventLoop loop, IReadOnlyDictionary<string, DemoFile> files, double bytesPerSecond)
    {
        _loop = loop;
        _stop = loop.CreateFuture();
        await using DemoServer server = await DemoServer.StartAsync(files, bytesPerSecond);
        _started.SetResult(server);
        await _stop;
    }
}
