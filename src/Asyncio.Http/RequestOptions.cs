namespace Asyncio.Http;

/// <summary>
/// What one request adds to or overrides in its session's settings. Everything is optional.
/// <para>aiohttp: the keyword arguments of <c>session.request(method, url, ...)</c>.</para>
/// </summary>
public sealed class RequestOptions
{
    /// <summary>Headers of this request; they replace the session's <see cref="ClientSessionOptions.DefaultHeaders"/> of the same name. <para>aiohttp: <c>headers</c>.</para></summary>
    public IEnumerable<KeyValuePair<string, string>>? Headers { get; init; }

    /// <summary>Query parameters appended to the URL's query, escaped, in order. <para>aiohttp: <c>params</c>.</para></summary>
    public IEnumerable<KeyValuePair<string, string>>? Params { get; init; }

    /// <summary>A value sent as a JSON body (<c>Content-Type: application/json</c>); not with <see cref="Data"/>. <para>aiohttp: <c>json</c>.</para></summary>
    public object? Json { get; init; }

    /// <summary>
    /// The body: a <c>byte[]</c> or <see cref="ReadOnlyMemory{T}"/> of bytes (<c>application/octet-stream</c>), a
    /// <see cref="string"/> (<c>text/plain; charset=utf-8</c>), form fields as an
    /// <see cref="IEnumerable{T}"/> of string pairs (<c>application/x-www-form-urlencoded</c>), or any
    /// <see cref="HttpContent"/> (sent once: a retry or a 307/308 redirect cannot send it again unless it is
    /// buffered). Not with <see cref="Json"/>. <para>aiohttp: <c>data</c>.</para>
    /// </summary>
    public object? Data { get; init; }

    /// <summary>This request's timeouts instead of the session's. <para>aiohttp: <c>timeout</c>.</para></summary>
    public ClientTimeout? Timeout { get; init; }

    /// <summary>Whether to follow redirects, instead of the session's setting. <para>aiohttp: <c>allow_redirects</c>.</para></summary>
    public bool? AllowRedirects { get; init; }

    /// <summary>The redirect limit, instead of the session's. <para>aiohttp: <c>max_redirects</c>.</para></summary>
    public int? MaxRedirects { get; init; }

    /// <summary>Whether an error status raises, instead of the session's setting. <para>aiohttp: <c>raise_for_status</c>.</para></summary>
    public bool? RaiseForStatus { get; init; }

    /// <summary>This request's retry policy instead of the session's; <see cref="RetryOptions.None"/> turns retries off.</summary>
    public RetryOptions? Retry { get; init; }
}
