using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Asyncio.Http;

/// <summary>
/// An HTTP client on the event loop: a pool of connections, a cookie jar, default headers and timeouts, shared
/// by the requests made through it. Its methods are coroutines, so a request runs as part of the calling task:
/// every await resumes on the loop thread, and cancelling the task aborts the request (the connection is
/// closed). Close it with <c>await using</c>; a session left unclosed is reported to the loop's exception
/// handler as <c>Unclosed client session</c>.
/// <para>aiohttp: <c>aiohttp.ClientSession</c> (<c>async with aiohttp.ClientSession() as session:</c>).</para>
/// </summary>
/// <remarks>
/// <para>Built on <see cref="SocketsHttpHandler"/> (HTTP/1.1, HTTP/2 over TLS, connection pooling); redirects,
/// limits, retries and timeouts are this class's, with aiohttp's meaning.</para>
/// <para>Like the loop's other objects, a session is used from its loop's thread only.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed partial class ClientSession : IAsyncDisposable, IDisposable
{
    private readonly ClientSessionOptions _options;
    private readonly HttpMessageInvoker _invoker;
    private readonly ConnectionSlots _slots;
    private readonly JsonSerializerOptions _json;
    private readonly UnclosedSessionReport _unclosedReport;

    /// <summary>
    /// Creates a session with <paramref name="options"/> (aiohttp's defaults when null).
    /// <para>aiohttp: <c>aiohttp.ClientSession(base_url=None, *, headers=None, cookie_jar=None, timeout=..., raise_for_status=False, connector=TCPConnector(limit=100, limit_per_host=0))</c>.</para>
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range, or <see cref="ClientSessionOptions.BaseAddress"/> is not an absolute http(s) URL.</exception>
    public ClientSession(ClientSessionOptions? options = null)
    {
        _options = Validated(options ?? new ClientSessionOptions());
        CookieJar = _options.CookieJar ?? new CookieContainer();
        _json = _options.JsonOptions ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);
        _slots = new ConnectionSlots(_options.Limit, _options.LimitPerHost);
        var handler = new SocketsHttpHandler
        {
            UseCookies = true,
            CookieContainer = CookieJar,
            // Redirects are followed here, to count them as aiohttp does and to keep each hop under the limits.
            AllowAutoRedirect = false,
            // aiohttp sends Accept-Encoding: gzip, deflate and decompresses, unless auto_decompress=False: the session
            // does both itself (see BodyReader), for the handler's decompression layer costs every request.
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = _options.LimitPerHost > 0 ? _options.LimitPerHost : int.MaxValue,
            ConnectCallback = ConnectAsync,
        };
        if (_options.SslOptions is { } ssl) handler.SslOptions = ssl;
        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        _unclosedReport = new UnclosedSessionReport(RunningLoopOrNull(), ToString());
    }

    /// <summary>The cookie jar shared by the session's requests. <para>aiohttp: <c>session.cookie_jar</c>.</para></summary>
    public CookieContainer CookieJar { get; }

    /// <summary>The settings the session was made with.</summary>
    public ClientSessionOptions Options => _options;

    /// <summary>True once the session is closed. <para>aiohttp: <c>session.closed</c>.</para></summary>
    public bool IsClosed { get; private set; }

    /// <summary>Sends a GET request. <para>aiohttp: <c>session.get(url, **kwargs)</c>.</para></summary>
    /// <inheritdoc cref="RequestAsync(string, string, RequestOptions?)"/>
    public Coroutine<ClientResponse> GetAsync(string url, RequestOptions? options = null) => RequestAsync("GET", url, options);

    /// <summary>Sends a POST request (not retried unless <see cref="RetryOptions.Methods"/> says so). <para>aiohttp: <c>session.post(url, data=None, **kwargs)</c>.</para></summary>
    /// <inheritdoc cref="RequestAsync(string, string, RequestOptions?)"/>
    public Coroutine<ClientResponse> PostAsync(string url, RequestOptions? options = null) => RequestAsync("POST", url, options);

    /// <summary>Sends a PUT request. <para>aiohttp: <c>session.put(url, data=None, **kwargs)</c>.</para></summary>
    /// <inheritdoc cref="RequestAsync(string, string, RequestOptions?)"/>
    public Coroutine<ClientResponse> PutAsync(string url, RequestOptions? options = null) => RequestAsync("PUT", url, options);

    /// <summary>Sends a DELETE request. <para>aiohttp: <c>session.delete(url, **kwargs)</c>.</para></summary>
    /// <inheritdoc cref="RequestAsync(string, string, RequestOptions?)"/>
    public Coroutine<ClientResponse> DeleteAsync(string url, RequestOptions? options = null) => RequestAsync("DELETE", url, options);

    /// <summary>Sends a PATCH request (not retried by default). <para>aiohttp: <c>session.patch(url, data=None, **kwargs)</c>.</para></summary>
    /// <inheritdoc cref="RequestAsync(string, string, RequestOptions?)"/>
    public Coroutine<ClientResponse> PatchAsync(string url, RequestOptions? options = null) => RequestAsync("PATCH", url, options);

    /// <summary>Sends a HEAD request. <para>aiohttp: <c>session.head(url, allow_redirects=False, **kwargs)</c> (here redirects follow the session's setting).</para></summary>
    /// <inheritdoc cref="RequestAsync(string, string, RequestOptions?)"/>
    public Coroutine<ClientResponse> HeadAsync(string url, RequestOptions? options = null) => RequestAsync("HEAD", url, options);

    /// <summary>
    /// Sends a request and returns its response once the headers have arrived; the body is read on demand.
    /// Arguments are checked at the call; the request starts when the coroutine is awaited.
    /// <para>aiohttp: <c>session.request(method, url, **kwargs)</c>.</para>
    /// </summary>
    /// <param name="method">The HTTP method (<c>GET</c>, <c>POST</c>, ...).</param>
    /// <param name="url">An absolute http(s) URL, or one relative to <see cref="ClientSessionOptions.BaseAddress"/>.</param>
    /// <param name="options">Headers, query, body, timeouts and the rest for this request.</param>
    /// <exception cref="ArgumentException">A bad method or URL, both a JSON and a data body, or an unsupported body type.</exception>
    /// <exception cref="ObjectDisposedException">The session is closed (also raised at the await if it closes meanwhile).</exception>
    /// <exception cref="ClientResponseError">The status is 400 or more and <see cref="ClientSessionOptions.RaiseForStatus"/> (or the request's) is set.</exception>
    /// <exception cref="TooManyRedirects">The request met <see cref="ClientSessionOptions.MaxRedirects"/> redirects.</exception>
    /// <exception cref="TimeoutException">A timeout expired: <see cref="ConnectionTimeoutError"/>, <see cref="SocketTimeoutError"/> or the total one.</exception>
    /// <exception cref="HttpRequestException">The connection failed or broke.</exception>
    /// <exception cref="CancelledError">The task was cancelled; the request was aborted.</exception>
    public Coroutine<ClientResponse> RequestAsync(string method, string url, RequestOptions? options = null)
    {
        ThrowIfClosed();
        RequestPlan plan = RequestPlan.Create(_options, _json, method, url, options);
        // One attempt, no rate limit, no status check: the attempt itself is the request (one coroutine fewer).
        return plan.Attempts == 1 && _options.Limiter is null && !plan.RaiseForStatus ? AttemptAsync(plan) : SendAsync(plan);
    }

    /// <summary>
    /// Closes the session: its pooled connections are closed and every later request raises. Idempotent.
    /// <para>aiohttp: <c>await session.close()</c>.</para>
    /// </summary>
    public void Close()
    {
        if (IsClosed) return;
        IsClosed = true;
        GC.SuppressFinalize(_unclosedReport);
        _invoker.Dispose();
    }

    /// <summary>Closes the session (<see cref="Close"/>); completes at once. <para>aiohttp: <c>async with</c>'s exit.</para></summary>
    public ValueTask CloseAsync()
    {
        Close();
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the session (<see cref="Close"/>).</summary>
    public ValueTask DisposeAsync() => CloseAsync();

    /// <summary>Closes the session (<see cref="Close"/>).</summary>
    public void Dispose() => Close();

    /// <inheritdoc/>
    public override string ToString() =>
        $"<ClientSession base={_options.BaseAddress?.ToString() ?? "None"} limit={_options.Limit} limit_per_host={_options.LimitPerHost}{(IsClosed ? " closed" : "")}>";

    private void ThrowIfClosed()
    {
        if (IsClosed) throw new ObjectDisposedException(nameof(ClientSession), "Session is closed.");
    }

    /// <summary>The loop whose selector serves the session's connections: the first one it sent a request on.</summary>
    private EventLoop? _loop;

    /// <summary>
    /// Binds the session to <paramref name="loop"/> on its first request. Its pooled connections are watched by that
    /// loop's selector, so another loop cannot use them while it is open (aiohttp's sessions are bound to their loop
    /// too); once that loop is closed, its connections are closed with it and the session moves to the new loop.
    /// </summary>
    /// <exception cref="InvalidOperationException">The session is bound to another loop that is still open.</exception>
    private void BindTo(EventLoop loop)
    {
        if (_loop is { } bound && bound != loop && !bound.IsClosed)
        {
            throw new InvalidOperationException(
                "This session belongs to another event loop, which is still open: its connections are served by that loop. Use a session per loop.");
        }
        _loop = loop;
    }

    private static ClientSessionOptions Validated(ClientSessionOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Limit, "options.Limit");
        ArgumentOutOfRangeException.ThrowIfNegative(options.LimitPerHost, "options.LimitPerHost");
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRedirects, "options.MaxRedirects");
        ArgumentNullException.ThrowIfNull(options.Timeout, "options.Timeout");
        ArgumentNullException.ThrowIfNull(options.DefaultHeaders, "options.DefaultHeaders");
        ArgumentNullException.ThrowIfNull(options.HttpVersion, "options.HttpVersion");
        options.Retry?.Validated();
        if (options.BaseAddress is { } baseAddress && !(baseAddress.IsAbsoluteUri && baseAddress.Scheme is "http" or "https"))
        {
            throw new ArgumentException($"BaseAddress must be an absolute http(s) URL, not '{baseAddress}'.", nameof(options));
        }
        return options;
    }

    private static EventLoop? RunningLoopOrNull()
    {
        try
        {
            return Aio.GetRunningLoop();
        }
        catch (InvalidOperationException)
        {
            // Made outside a loop: an unclosed report goes to standard error.
            return null;
        }
    }
}
