using System.Net;
using System.Net.Security;
using System.Text.Json;

namespace Asyncio.Http;

/// <summary>
/// The settings of a <see cref="ClientSession"/>, read once when the session is made.
/// <para>aiohttp: the keyword arguments of <c>aiohttp.ClientSession(...)</c> and of its <c>TCPConnector</c>.</para>
/// </summary>
public sealed class ClientSessionOptions
{
    /// <summary>
    /// The absolute URL relative request URLs are resolved against (<see cref="Uri(Uri, string)"/>'s rules:
    /// end its path with <c>/</c> to keep it). Null: every request URL must be absolute.
    /// <para>aiohttp: <c>base_url</c>.</para>
    /// </summary>
    public Uri? BaseAddress { get; init; }

    /// <summary>
    /// Headers sent with every request; a request's own <see cref="RequestOptions.Headers"/> replace those of the
    /// same name. <para>aiohttp: <c>headers</c>.</para>
    /// </summary>
    public IDictionary<string, string> DefaultHeaders { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The cookie jar: cookies the servers set are stored here and sent back on later requests. A new, empty jar
    /// when not given; pass one to share or inspect it. <para>aiohttp: <c>cookie_jar</c>.</para>
    /// </summary>
    public CookieContainer? CookieJar { get; init; }

    /// <summary>
    /// Whether every response with a status of 400 or more raises <see cref="ClientResponseError"/> (after
    /// redirects and retries). <para>aiohttp: <c>raise_for_status</c>.</para>
    /// </summary>
    public bool RaiseForStatus { get; init; }

    /// <summary>The default timeouts of a request: <see cref="ClientTimeout.Default"/> (five minutes in total). <para>aiohttp: <c>timeout</c>.</para></summary>
    public ClientTimeout Timeout { get; init; } = ClientTimeout.Default;

    /// <summary>
    /// The most requests holding a connection at once, all hosts together; 0 for no limit. A request holds its
    /// connection until its body is read to the end or the response is disposed.
    /// <para>aiohttp: <c>TCPConnector(limit=100)</c>.</para>
    /// </summary>
    public int Limit { get; init; } = 100;

    /// <summary>
    /// The most requests holding a connection to one endpoint (scheme, host and port) at once; 0 for no limit.
    /// <para>aiohttp: <c>TCPConnector(limit_per_host=0)</c>.</para>
    /// </summary>
    public int LimitPerHost { get; init; }

    /// <summary>Whether redirects (301, 302, 303, 307, 308) are followed. <para>aiohttp: <c>allow_redirects</c> of a request (default True).</para></summary>
    public bool AllowRedirects { get; init; } = true;

    /// <summary>
    /// The number of redirect responses at which a request gives up with <see cref="TooManyRedirects"/>.
    /// <para>aiohttp: <c>max_redirects=10</c>.</para>
    /// </summary>
    public int MaxRedirects { get; init; } = 10;

    /// <summary>
    /// A rate limiter every request attempt acquires one unit of before it starts (not counted in its timeouts).
    /// Null: no rate limit. aiohttp has none; this is aiolimiter's <c>async with limiter:</c> around each request.
    /// </summary>
    public AsyncLimiter? Limiter { get; init; }

    /// <summary>How failed requests are retried; null (the default, as aiohttp) for no retries.</summary>
    public RetryOptions? Retry { get; init; }

    /// <summary>How request bodies given as <see cref="RequestOptions.Json"/> are written and <see cref="ClientResponse.JsonAsync{T}"/> reads; <see cref="JsonSerializerDefaults.Web"/> when null. <para>aiohttp: <c>json_serialize</c>.</para></summary>
    public JsonSerializerOptions? JsonOptions { get; init; }

    /// <summary>
    /// Whether bodies are decompressed: true (the default) sends <c>Accept-Encoding</c> for gzip, deflate and
    /// brotli and hands the decoded bytes to the reader; false adds no <c>Accept-Encoding</c> and gives the body
    /// exactly as sent, <c>Content-Encoding</c> and <c>Content-Length</c> describing those bytes (what a byte
    /// <c>Range</c> counts). <para>aiohttp: <c>auto_decompress=True</c>.</para>
    /// </summary>
    public bool AutoDecompress { get; init; } = true;

    /// <summary>TLS settings (certificate validation, client certificates, protocols) for HTTPS; .NET's defaults when null. <para>aiohttp: <c>TCPConnector(ssl=...)</c>.</para></summary>
    public SslClientAuthenticationOptions? SslOptions { get; init; }

    /// <summary>
    /// The HTTP version requests ask for, read with <see cref="VersionPolicy"/>: by default HTTP/1.1 or higher, so
    /// HTTPS speaks HTTP/2 when the server offers it through ALPN. 2.0 asks for HTTP/2 (with
    /// <see cref="HttpVersionPolicy.RequestVersionOrHigher"/>: HTTP/2 over TLS, or without TLS by prior knowledge).
    /// aiohttp speaks HTTP/1.1 only. <see cref="HttpClient.DefaultRequestVersion"/>'s counterpart.
    /// </summary>
    public Version HttpVersion { get; init; } = System.Net.HttpVersion.Version11;

    /// <summary>
    /// How <see cref="HttpVersion"/> is read: <see cref="HttpVersionPolicy.RequestVersionOrHigher"/> by default;
    /// <see cref="HttpVersionPolicy.RequestVersionExact"/> with HTTP/1.1 keeps every request on HTTP/1.1, as aiohttp.
    /// <see cref="HttpClient.DefaultVersionPolicy"/>'s counterpart.
    /// </summary>
    public HttpVersionPolicy VersionPolicy { get; init; } = HttpVersionPolicy.RequestVersionOrHigher;
}
