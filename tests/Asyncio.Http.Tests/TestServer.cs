using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Asyncio.Http.Tests;

/// <summary>
/// A Kestrel server on 127.0.0.1 (a free port) with the endpoints the tests talk to. One per test class
/// (an xunit class fixture); per-test state is keyed by a <c>key</c> query parameter.
/// </summary>
public sealed class TestServer : IDisposable
{
    private readonly WebApplication _app;

    /// <summary>Calls seen per key (<c>/flaky</c>).</summary>
    public ConcurrentDictionary<string, int> Calls { get; } = new();

    /// <summary>Requests in progress and the most seen at once, per key (<c>/concurrent</c>).</summary>
    public ConcurrentDictionary<string, Gauge> Gauges { get; } = new();

    /// <summary>Completed when the client has gone away from a request, per key (<c>/hang</c>).</summary>
    public ConcurrentDictionary<string, TaskCompletionSource> Aborted { get; } = new();

    /// <summary>Completed when a request has reached its handler, per key (<c>/hang</c>, <c>/slow-body</c>).</summary>
    public ConcurrentDictionary<string, TaskCompletionSource> Started { get; } = new();

    /// <summary>Released by a test to let <c>/gated</c> send the rest of its body, per key.</summary>
    public ConcurrentDictionary<string, TaskCompletionSource> Gates { get; } = new();

    public TestServer()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        MapRoutes(_app);
        // Started from a pool thread: a loop thread (its synchronization context) must never block on it.
        Task.Run(() => _app.StartAsync()).GetAwaiter().GetResult();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = address.TrimEnd('/') + "/";
        Port = new Uri(Url).Port;
    }

    /// <summary>The server's base URL, ending with a slash.</summary>
    public string Url { get; }

    /// <summary>The server's port.</summary>
    public int Port { get; }

    /// <summary>A fresh key for per-test state.</summary>
    public static string NewKey() => Guid.NewGuid().ToString("N");

    public TaskCompletionSource AbortedFor(string key) => Aborted.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public TaskCompletionSource StartedFor(string key) => Started.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Waits (real time, at most 10 s) until the request with <paramref name="key"/> has reached the server.</summary>
    public Task WaitStarted(string key) => StartedFor(key).Task.WaitAsync(TimeSpan.FromSeconds(10));

    public TaskCompletionSource GateFor(string key) => Gates.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public Gauge GaugeFor(string key) => Gauges.GetOrAdd(key, _ => new Gauge());

    private static string Key(HttpContext context) => context.Request.Query["key"].ToString();

    private void MapRoutes(WebApplication app)
    {
        app.Map("/text", () => "hello");
        app.Map("/echo", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            string body = await reader.ReadToEndAsync();
            await context.Response.WriteAsJsonAsync(new Echo(context.Request.Method, body,
                context.Request.ContentType, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
        });
        app.Map("/json", () => Results.Json(new Item("aio", 42)));
        app.Map("/problem", () => Results.Json(new Item("aio", 42), contentType: "application/problem+json"));
        app.Map("/latin1", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; charset=iso-8859-1";
            await context.Response.Body.WriteAsync(Encoding.Latin1.GetBytes("café"));
        });
        app.Map("/bad-utf8", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.Body.WriteAsync(new byte[] { 0x61, 0xff, 0x62 });
        });
        app.Map("/gzip", async (HttpContext context) =>
        {
            // "hello gzip", always gzip-encoded; the request's Accept-Encoding echoed in a header.
            using var packed = new MemoryStream();
            using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write("hello gzip"u8);
            }
            context.Response.Headers.ContentEncoding = "gzip";
            context.Response.Headers["X-Accept-Encoding"] = context.Request.Headers.AcceptEncoding.ToString();
            context.Response.ContentLength = packed.Length;
            await context.Response.Body.WriteAsync(packed.ToArray());
        });
        app.Map("/encoded/{coding}", async (HttpContext context, string coding) =>
        {
            // "hello CODING" encoded with CODING (gzip, deflate, br; any other name: sent as is, labelled so).
            // An empty body with ?empty=1.
            byte[] text = context.Request.Query.ContainsKey("empty") ? [] : Encoding.UTF8.GetBytes("hello " + coding);
            using var packed = new MemoryStream();
            using (Stream? encoder = coding switch
            {
                "gzip" => new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true),
                // ?raw=1: raw DEFLATE (RFC 1951) under the deflate name, as some servers send it.
                "deflate" when context.Request.Query.ContainsKey("raw") =>
                    new System.IO.Compression.DeflateStream(packed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true),
                "deflate" => new System.IO.Compression.ZLibStream(packed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true),
                "br" => new System.IO.Compression.BrotliStream(packed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true),
                _ => null,
            })
            {
                (encoder ?? packed).Write(text);
            }
            context.Response.Headers.ContentEncoding = coding;
            context.Response.ContentLength = packed.Length;
            if (!HttpMethods.IsHead(context.Request.Method)) await context.Response.Body.WriteAsync(packed.ToArray());
        });
        app.Map("/status/{code:int}", (int code) => Results.StatusCode(code));
        app.Map("/redirect/{n:int}", (int n) => n > 0 ? Results.Redirect($"/redirect/{n - 1}") : Results.Text("done"));
        app.Map("/redirect-to", (HttpContext context) =>
        {
            context.Response.StatusCode = int.Parse(context.Request.Query["status"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers.Location = context.Request.Query["url"].ToString();
            return Task.CompletedTask;
        });
        app.Map("/set-cookie", (HttpContext context) =>
        {
            context.Response.Cookies.Append("flavour", "oat");
            return "set";
        });
        app.Map("/cookies", (HttpContext context) => context.Request.Headers.Cookie.ToString());
        app.Map("/hang", async (HttpContext context) =>
        {
            // Never answers; records when the client goes away.
            TaskCompletionSource aborted = AbortedFor(Key(context));
            StartedFor(Key(context)).TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                aborted.TrySetResult();
            }
        });
        app.Map("/slow-body", async (HttpContext context) =>
        {
            // The headers and a first chunk at once, the rest after a long pause.
            await context.Response.Body.WriteAsync("first"u8.ToArray());
            await context.Response.Body.FlushAsync();
            StartedFor(Key(context)).TrySetResult();
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
                await context.Response.Body.WriteAsync("rest"u8.ToArray());
            }
            catch (OperationCanceledException)
            {
                AbortedFor(Key(context)).TrySetResult();
            }
        });
        app.Map("/gated", async (HttpContext context) =>
        {
            // 64 KiB, then waits for the test to release the gate, then 4 MiB more.
            byte[] block = new byte[65536];
            Array.Fill(block, (byte)'x');
            await context.Response.Body.WriteAsync(block);
            await context.Response.Body.FlushAsync();
            await GateFor(Key(context)).Task.WaitAsync(TimeSpan.FromSeconds(20), context.RequestAborted);
            for (int i = 0; i < 64; i++) await context.Response.Body.WriteAsync(block);
        });
        app.Map("/pattern/{size:int}", async (HttpContext context, int size) =>
        {
            // SIZE bytes of Pattern, written in uneven pieces so that the client's reads do not line up with them.
            context.Response.ContentLength = size;
            byte[] body = Pattern(size);
            for (int at = 0, piece = 1000; at < size; at += piece, piece = piece * 3 % 70001 + 1)
            {
                await context.Response.Body.WriteAsync(body.AsMemory(at, Math.Min(piece, size - at)));
            }
        });
        app.Map("/concurrent", async (HttpContext context) =>
        {
            Gauge gauge = GaugeFor(Key(context) + "/" + context.Request.Host.Host);
            Gauge total = GaugeFor(Key(context));
            gauge.Enter();
            total.Enter();
            await Task.Delay(150);
            total.Leave();
            gauge.Leave();
            return "ok";
        });
        app.Map("/flaky", (HttpContext context) =>
        {
            // Fails `fail` times with `status` (and Retry-After when asked), then answers "ok" with the count.
            var query = context.Request.Query;
            int call = Calls.AddOrUpdate(Key(context), 1, (_, n) => n + 1);
            int fail = int.Parse(query["fail"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
            if (call <= fail)
            {
                if (query.ContainsKey("retryAfter")) context.Response.Headers.RetryAfter = query["retryAfter"].ToString();
                return Results.StatusCode(int.Parse(query["status"].ToString(), System.Globalization.CultureInfo.InvariantCulture));
            }
            return Results.Text($"ok after {call}");
        });
    }

    public void Dispose()
    {
        Task.Run(() => _app.StopAsync()).GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
    }

    public sealed record Echo(string Method, string Body, string? ContentType, string PathAndQuery, Dictionary<string, string> Headers);

    public sealed record Item(string Name, int Value);

    /// <summary>How many requests are in progress, and the most there ever were.</summary>
    public sealed class Gauge
    {
        private int _now;
        private int _max;

        public int Max => Volatile.Read(ref _max);

        public void Enter()
        {
            int now = Interlocked.Increment(ref _now);
            int max;
            while (now > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, max) != max) { }
        }

        public void Leave() => Interlocked.Decrement(ref _now);
    }

    /// <summary>Parses an <see cref="Echo"/>.</summary>
    /// <summary>The bytes <c>/pattern/SIZE</c> serves: byte i is i mod 251, so a lost, doubled or moved piece shows.</summary>
    public static byte[] Pattern(int size)
    {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) bytes[i] = (byte)(i % 251);
        return bytes;
    }

    public static Echo ParseEcho(string json) => JsonSerializer.Deserialize<Echo>(json, JsonSerializerOptions.Web)!;
}
