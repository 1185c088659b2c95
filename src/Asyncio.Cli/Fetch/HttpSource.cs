using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;

namespace Asyncio.Cli.Fetch;

/// <summary>
/// The one place <c>aio fetch</c> speaks HTTP: a GET, optionally for a range, answered with the few header values the
/// downloader needs and the body as a stream. Everything else in the downloader is independent of the HTTP stack,
/// so moving to <c>Asyncio.Http</c>'s <c>ClientSession</c> means rewriting this file only (this class and
/// <see cref="HttpAnswer"/>, kept here together for that reason).
/// </summary>
/// <remarks>
/// Responses are taken as they come over the wire: no automatic decompression (a <c>Range</c> counts bytes of the
/// encoded body, and the file must be the bytes the server sent). Redirects are followed. No overall timeout on the
/// client: the downloader times the wait for headers and each read of the body itself.
/// </remarks>
internal sealed class HttpSource : IDisposable
{
    /// <summary>The client, shared by every download of a run (its pool keeps connections per host).</summary>
    private readonly HttpClient _client;

    /// <summary>Creates the source.</summary>
    /// <param name="insecure">True to accept any TLS certificate (<c>--insecure</c>); verification is on otherwise.</param>
    /// <param name="connectTimeout">The limit for opening a connection.</param>
    /// <param name="maxConnectionsPerHost">The pool's limit per host (the downloader's per-host limit).</param>
    public HttpSource(bool insecure, TimeSpan connectTimeout, int maxConnectionsPerHost)
    {
        var handler = new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = true,
            ConnectTimeout = connectTimeout,
            MaxConnectionsPerServer = maxConnectionsPerHost,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (insecure)
        {
            // Accepting any certificate is what --insecure asks for, explicitly and only then.
#pragma warning disable CA5359
            handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true };
#pragma warning restore CA5359
        }
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("aio-fetch", "0.1"));
    }

    /// <summary>
    /// Sends <c>GET url</c> (with <c>Range: bytes=FROM-</c> and <c>If-Range</c> when <paramref name="resume"/> is
    /// given) and returns once the headers arrived; the caller reads and disposes the body.
    /// </summary>
    /// <exception cref="HttpRequestException">The connection failed.</exception>
    public async Task<HttpAnswer> GetAsync(Uri url, ResumeRequest? resume, CancellationToken token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("identity"));
        if (resume is not null)
        {
            request.Headers.Range = new RangeHeaderValue(resume.From, null);
            request.Headers.TryAddWithoutValidation("If-Range", resume.Validator);
        }
        HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
        try
        {
            Stream body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            return new HttpAnswer(response, body);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();
}

/// <summary>Asks for the rest of a file: from byte <paramref name="From"/>, only if it is still <paramref name="Validator"/>.</summary>
/// <param name="From">The first byte wanted (the length already on disk).</param>
/// <param name="Validator">The ETag or Last-Modified date the bytes on disk came with (<c>If-Range</c>).</param>
internal sealed record ResumeRequest(long From, string Validator);

/// <summary>An HTTP answer: status, the headers a download needs, and the body.</summary>
internal sealed class HttpAnswer : IDisposable
{
    /// <summary>The response, owned (disposed with the answer).</summary>
    private readonly HttpResponseMessage _response;

    /// <summary>The body.</summary>
    private readonly Stream _body;

    internal HttpAnswer(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _body = body;
        HttpContentHeaders content = response.Content.Headers;
        ContentLength = content.ContentLength;
        ContentRangeFrom = content.ContentRange?.From;
        ContentRangeTotal = content.ContentRange?.Length;
        EntityTag? etag = response.Headers.ETag is { } tag ? new EntityTag(tag.ToString(), tag.IsWeak) : null;
        ETag = etag;
        LastModified = content.LastModified is { } date ? date.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : null;
        ContentDisposition = content.TryGetValues("Content-Disposition", out var values) ? string.Join(", ", values) : null;
        RetryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } when } => when - DateTimeOffset.UtcNow,
            _ => null,
        };
    }

    /// <summary>The status code.</summary>
    public int Status => (int)_response.StatusCode;

    /// <summary>The reason phrase, for messages.</summary>
    public string? Reason => _response.ReasonPhrase;

    /// <summary><c>Content-Length</c>: the body's length, when given.</summary>
    public long? ContentLength { get; }

    /// <summary>The first byte of a 206's <c>Content-Range</c>.</summary>
    public long? ContentRangeFrom { get; }

    /// <summary>The complete length in <c>Content-Range</c> (a 206's, or a 416's <c>bytes */N</c>).</summary>
    public long? ContentRangeTotal { get; }

    /// <summary>The <c>ETag</c>, if any.</summary>
    public EntityTag? ETag { get; }

    /// <summary>The <c>Last-Modified</c> date as sent (RFC 1123), if any.</summary>
    public string? LastModified { get; }

    /// <summary>The raw <c>Content-Disposition</c> header, if any.</summary>
    public string? ContentDisposition { get; }

    /// <summary><c>Retry-After</c> as a delay from now, if given.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Reads the next bytes of the body (0 at its end).</summary>
    /// <exception cref="IOException">The connection broke.</exception>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken token) => _body.ReadAsync(buffer, token);

    /// <inheritdoc/>
    public void Dispose()
    {
        _body.Dispose();
        _response.Dispose();
    }
}

/// <summary>An entity tag as sent (quotes included) and whether it is weak (<c>W/</c>), which <c>If-Range</c> may not use.</summary>
/// <param name="Value">The tag, as in the header.</param>
/// <param name="IsWeak">True for a weak tag.</param>
internal sealed record EntityTag(string Value, bool IsWeak);
