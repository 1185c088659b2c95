using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Asyncio.Http;

/// <summary>
/// The answer to a request: its status and headers at once, its body read on demand (<see cref="ReadAsync"/>,
/// <see cref="TextAsync"/>, <see cref="JsonAsync{T}"/>, or streamed through <see cref="Content"/>).
/// Dispose it (<c>await using</c>): that gives its connection back even when the body was not read.
/// <para>aiohttp: <c>aiohttp.ClientResponse</c> (<c>async with session.get(url) as resp:</c>).</para>
/// </summary>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class ClientResponse : IAsyncDisposable, IDisposable
{
    private readonly HttpResponseMessage _message;
    private readonly JsonSerializerOptions _jsonOptions;
    private ConnectionSlots.Slot? _slot;
    private byte[]? _body;

    internal ClientResponse(BodyReader body, HttpMethod method, Uri url, RequestDeadline deadline,
        ConnectionSlots.Slot slot, IReadOnlyList<ClientResponse> history, JsonSerializerOptions jsonOptions)
    {
        _message = body.Message;
        _slot = slot;
        _jsonOptions = jsonOptions;
        Method = method.Method;
        Url = url;
        History = history;
        Headers = new ResponseHeaders(_message);
        Content = new ResponseContent(body, deadline, this);
    }

    /// <summary>The status code. <para>aiohttp: <c>resp.status</c>.</para></summary>
    public int Status => (int)_message.StatusCode;

    /// <summary>The reason phrase (<c>"OK"</c>, <c>"Not Found"</c>). <para>aiohttp: <c>resp.reason</c>.</para></summary>
    public string Reason => _message.ReasonPhrase ?? "";

    /// <summary>True when <see cref="Status"/> is below 400. <para>aiohttp: <c>resp.ok</c>.</para></summary>
    public bool Ok => Status < 400;

    /// <summary>The URL that gave this response (after redirects). <para>aiohttp: <c>resp.url</c>.</para></summary>
    public Uri Url { get; }

    /// <summary>The request's method. <para>aiohttp: <c>resp.method</c>.</para></summary>
    public string Method { get; }

    /// <summary>The HTTP version of the response. <para>aiohttp: <c>resp.version</c>.</para></summary>
    public Version Version => _message.Version;

    /// <summary>The headers, content headers included. <para>aiohttp: <c>resp.headers</c>.</para></summary>
    public ResponseHeaders Headers { get; }

    /// <summary>The redirect responses that led here, oldest first. <para>aiohttp: <c>resp.history</c>.</para></summary>
    public IReadOnlyList<ClientResponse> History { get; }

    /// <summary>The body as a stream of chunks. <para>aiohttp: <c>resp.content</c>.</para></summary>
    public ResponseContent Content { get; }

    /// <summary>The media type of <c>Content-Type</c>, <c>application/octet-stream</c> without one. <para>aiohttp: <c>resp.content_type</c>.</para></summary>
    public string ContentType => _message.Content.Headers.ContentType?.MediaType ?? "application/octet-stream";

    /// <summary>The <c>charset</c> parameter of <c>Content-Type</c>, if any. <para>aiohttp: <c>resp.charset</c>.</para></summary>
    public string? Charset => _message.Content.Headers.ContentType?.CharSet?.Trim('"');

    /// <summary>The <c>Content-Length</c>, if sent. <para>aiohttp: <c>resp.content_length</c>.</para></summary>
    public long? ContentLength => _message.Content.Headers.ContentLength;

    /// <summary>The .NET headers of the response, for what <see cref="Headers"/> does not parse (<c>Retry-After</c>, ...).</summary>
    internal HttpResponseHeaders RawHeaders => _message.Headers;

    /// <summary>The <c>Location</c> header, if any.</summary>
    internal Uri? Location => _message.Headers.Location;

    /// <summary>
    /// Reads the whole body (once: later calls return the same bytes) and releases the connection. After a
    /// partial read through <see cref="Content"/>, gives what is left.
    /// <para>aiohttp: <c>await resp.read()</c>.</para>
    /// </summary>
    /// <exception cref="TimeoutException">The total or read timeout expired.</exception>
    /// <exception cref="InvalidOperationException">The response was released before its body was read.</exception>
    public async Coroutine<byte[]> ReadAsync() => _body ??= await Content.ReadToEndAsync();

    /// <summary>
    /// Reads the body and decodes it: with <paramref name="encoding"/> if given, else the response's charset, else
    /// UTF-8. Invalid bytes raise, as aiohttp's <c>errors='strict'</c>.
    /// <para>aiohttp: <c>await resp.text(encoding=None)</c>.</para>
    /// </summary>
    /// <exception cref="DecoderFallbackException">The body is not valid in that encoding.</exception>
    public async Coroutine<string> TextAsync(Encoding? encoding = null)
    {
        byte[] body = await ReadAsync();
        // A clone is writable: its decoder raises on invalid bytes instead of substituting U+FFFD.
        var strict = (Encoding)(encoding ?? BodyEncoding()).Clone();
        strict.DecoderFallback = DecoderFallback.ExceptionFallback;
        return strict.GetString(body);
    }

    /// <summary>
    /// Reads the body and deserializes it from JSON (System.Text.Json, with the session's
    /// <see cref="ClientSessionOptions.JsonOptions"/> unless <paramref name="options"/> is given).
    /// <para>aiohttp: <c>await resp.json(content_type='application/json')</c>.</para>
    /// </summary>
    /// <param name="options">The serializer options; the session's when null.</param>
    /// <param name="contentType">The expected media type (<c>application/json</c> and <c>application/*+json</c> match it); null accepts any.</param>
    /// <exception cref="ContentTypeError">The response's media type is not the expected one.</exception>
    /// <exception cref="JsonException">The body is not valid JSON for <typeparamref name="T"/>.</exception>
    public async Coroutine<T?> JsonAsync<T>(JsonSerializerOptions? options = null, string? contentType = "application/json")
    {
        if (contentType is not null && !IsExpectedContentType(contentType)) throw new ContentTypeError(this);
        byte[] body = await ReadAsync();
        return JsonSerializer.Deserialize<T>(body, options ?? _jsonOptions);
    }

    /// <summary>
    /// Raises <see cref="ClientResponseError"/> if <see cref="Status"/> is 400 or more, releasing the connection
    /// first; does nothing otherwise.
    /// <para>aiohttp: <c>resp.raise_for_status()</c>.</para>
    /// </summary>
    /// <exception cref="ClientResponseError">The status is an error.</exception>
    public void RaiseForStatus()
    {
        if (Ok) return;
        Release();
        throw new ClientResponseError(Status, Reason, Url, Headers, History);
    }

    /// <summary>
    /// Gives the connection back without reading the rest of the body (the HTTP stack drains a short rest, or
    /// closes the connection). What was read stays available. Safe to call more than once.
    /// <para>aiohttp: <c>resp.release()</c>.</para>
    /// </summary>
    public void Release() => Content.Release();

    /// <summary>Releases the response (<see cref="Release"/>). <para>aiohttp: <c>async with</c>'s exit.</para></summary>
    public void Dispose() => Release();

    /// <summary>Releases the response (<see cref="Release"/>); completes at once.</summary>
    public ValueTask DisposeAsync()
    {
        Release();
        return ValueTask.CompletedTask;
    }

    /// <summary>aiohttp's repr: <c>&lt;ClientResponse(url) [200 OK]&gt;</c>.</summary>
    public override string ToString() => $"<ClientResponse({Url}) [{Status} {Reason}]>";

    /// <summary>Called once the body has ended or was released: the session's slot goes back (the content disposes the message).</summary>
    internal void FreeSlot()
    {
        _slot?.Release();
        _slot = null;
    }

    private Encoding BodyEncoding()
    {
        if (Charset is { Length: > 0 } charset)
        {
            try
            {
                return Encoding.GetEncoding(charset);
            }
            catch (ArgumentException)
            {
                if (CodePagesEncodingProvider.Instance.GetEncoding(charset) is { } codePage) return codePage;
            }
        }
        // aiohttp guesses with chardet when nothing is declared; JSON and everything else here default to UTF-8.
        return Encoding.UTF8;
    }

    private bool IsExpectedContentType(string expected)
    {
        string actual = ContentType;
        if (!expected.Equals("application/json", StringComparison.OrdinalIgnoreCase)) return actual.Equals(expected, StringComparison.OrdinalIgnoreCase);
        return actual.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
            && (actual.Equals("application/json", StringComparison.OrdinalIgnoreCase) || actual.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }
}
