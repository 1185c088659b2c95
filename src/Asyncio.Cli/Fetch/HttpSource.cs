using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Security;
using Asyncio.Http;

namespace Asyncio.Cli.Fetch;

/// <summary>
/// The one place <c>aio fetch</c> speaks HTTP: a GET through <c>Asyncio.Http</c>'s <see cref="ClientSession"/>,
/// optionally for a range, answered with the few header values the downloader needs and the body read in chunks
/// from the response's content. Everything else in the downloader is independent of the HTTP stack (this class and
/// <see cref="HttpAnswer"/> are kept here together for that reason).
/// </summary>
/// <remarks>
/// The session is configured so that the downloader stays in charge: no retries, no timeouts and no total
/// connection limit of the session's own (the downloader retries, times the wait for headers and each read of the
/// body, and bounds concurrency itself); no automatic decompression (a <c>Range</c> counts bytes of the encoded
/// body, and the file must be the bytes the server sent); redirects are followed by the session. Made and used on
/// the run's loop.
/// </remarks>
internal sealed class HttpSource : IDisposable
{
    /// <summary>The <c>User-Agent</c> of every request.</summary>
    internal const string UserAgent = "aio-fetch/0.1";

    /// <summary>The session, shared by every download of a run (its pool keeps connections per host).</summary>
    private readonly ClientSession _session;

    /// <summary>Creates the source; call on the run's loop.</summary>
    /// <param name="insecure">True to accept any TLS certificate (<c>--insecure</c>); verification is on otherwise.</param>
    /// <param name="maxConnectionsPerHost">The pool's limit per host (the downloader's per-host limit).</param>
    public HttpSource(bool insecure, int maxConnectionsPerHost)
    {
        _session = new ClientSession(new ClientSessionOptions
        {
            DefaultHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["User-Agent"] = UserAgent },
            AutoDecompress = false,
            // The downloader's Aio.Timeout bounds each wait; its own retries and semaphores are the only ones.
            Timeout = ClientTimeout.None,
            Retry = null,
            Limit = 0,
            LimitPerHost = maxConnectionsPerHost,
            RaiseForStatus = false,
            SslOptions = insecure ? AcceptAnyCertificate() : null,
        });
    }

    /// <summary>
    /// Sends <c>GET url</c> (with <c>Range: bytes=FROM-</c> and <c>If-Range</c> when <paramref name="resume"/> is
    /// given) and returns once the headers arrived; the caller reads and disposes the body. Cancelling the calling
    /// task aborts the request.
    /// </summary>
    /// <exception cref="HttpRequestException">The connection failed.</exception>
    /// <exception cref="TooManyRedirects">The redirects did not end.</exception>
    public async Coroutine<HttpAnswer> GetAsync(Uri url, ResumeRequest? resume)
    {
        var headers = new List<KeyValuePair<string, string>> { new("Accept-Encoding", "identity") };
        if (resume is not null)
        {
            headers.Add(new("Range", string.Create(CultureInfo.InvariantCulture, $"bytes={resume.From}-")));
            headers.Add(new("If-Range", resume.Validator));
        }
        ClientResponse response = await _session.GetAsync(url.AbsoluteUri, new RequestOptions { Headers = headers });
        return new HttpAnswer(response);
    }

    /// <summary>Closes the session.</summary>
    public void Dispose() => _session.Close();

    /// <summary>Accepting any certificate is what <c>--insecure</c> asks for, explicitly and only then.</summary>
    private static SslClientAuthenticationOptions AcceptAnyCertificate() =>
#pragma warning disable CA5359
        new() { RemoteCertificateValidationCallback = static (_, _, _, _) => true };
#pragma warning restore CA5359
}

/// <summary>Asks for the rest of a file: from byte <paramref name="From"/>, only if it is still <paramref name="Validator"/>.</summary>
/// <param name="From">The first byte wanted (the length already on disk).</param>
/// <param name="Validator">The ETag or Last-Modified date the bytes on disk came with (<c>If-Range</c>).</param>
internal sealed record ResumeRequest(long From, string Validator);

/// <summary>An HTTP answer: status, the headers a download needs, and the body.</summary>
internal sealed class HttpAnswer : IDisposable
{
    /// <summary>The response, owned (disposed with the answer, which gives its connection back).</summary>
    private readonly ClientResponse _response;

    internal HttpAnswer(ClientResponse response)
    {
        _response = response;
        ResponseHeaders headers = response.Headers;
        ContentLength = response.ContentLength;
        ContentRangeHeaderValue? range = headers.TryGetValue("Content-Range", out string rangeText)
            && ContentRangeHeaderValue.TryParse(rangeText, out ContentRangeHeaderValue? parsedRange) ? parsedRange : null;
        ContentRangeFrom = range?.From;
        ContentRangeTotal = range?.Length;
        ETag = headers.TryGetValue("ETag", out string tagText) && EntityTagHeaderValue.TryParse(tagText, out EntityTagHeaderValue? tag)
            ? new EntityTag(tag.ToString(), tag.IsWeak)
            : null;
        LastModified = headers.TryGetValue("Last-Modified", out string dateText)
            && DateTimeOffset.TryParse(dateText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset date)
            ? date.ToString("R", CultureInfo.InvariantCulture)
            : null;
        ContentDisposition = headers.TryGetValue("Content-Disposition", out string disposition) ? disposition : null;
        RetryAfter = headers.TryGetValue("Retry-After", out string retryText) && RetryConditionHeaderValue.TryParse(retryText, out RetryConditionHeaderValue? retry)
            ? retry switch
            {
                { Delta: { } delta } => delta,
                { Date: { } when } => when - DateTimeOffset.UtcNow,
                _ => null,
            }
            : null;
    }

    /// <summary>The status code.</summary>
    public int Status => _response.Status;

    /// <summary>The reason phrase, for messages.</summary>
    public string Reason => _response.Reason;

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

    /// <summary>
    /// Reads the next chunk of the body (one read from the network, at most <paramref name="size"/> bytes; empty at
    /// its end). Cancelling the calling task aborts the read.
    /// </summary>
    /// <exception cref="IOException">The connection broke.</exception>
    public Coroutine<byte[]> ReadChunkAsync(int size) => _response.Content.ReadAsync(size);

    /// <inheritdoc/>
    public void Dispose() => _response.Dispose();
}

/// <summary>An entity tag as sent (quotes included) and whether it is weak (<c>W/</c>), which <c>If-Range</c> may not use.</summary>
/// <param name="Value">The tag, as in the header.</param>
/// <param name="IsWeak">True for a weak tag.</param>
internal sealed record EntityTag(string Value, bool IsWeak);
