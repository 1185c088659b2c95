using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Asyncio.Http;

/// <summary>
/// A request as the caller described it, checked and merged with the session's settings: what every attempt
/// and every redirect builds its <see cref="HttpRequestMessage"/> from (a message can be sent only once).
/// </summary>
internal sealed class RequestPlan
{
    /// <summary>What a request without options of its own is sent with.</summary>
    private static readonly RequestOptions s_noOptions = new();

    private static readonly List<KeyValuePair<string, string>> s_noHeaders = [];

    /// <summary>The headers to send (shared with other requests: never changed).</summary>
    private readonly List<KeyValuePair<string, string>> _headers;
    private readonly Func<HttpContent>? _body;

    private RequestPlan(HttpMethod method, Uri url, List<KeyValuePair<string, string>> headers, Func<HttpContent>? body)
    {
        Method = method;
        Url = url;
        _headers = headers;
        _body = body;
    }

    public HttpMethod Method { get; }
    public Uri Url { get; }
    public required ClientTimeout Timeout { get; init; }
    public required bool AllowRedirects { get; init; }
    public required int MaxRedirects { get; init; }
    public required bool RaiseForStatus { get; init; }
    public required RetryOptions Retry { get; init; }

    /// <summary>How many attempts the request gets: those of <see cref="Retry"/> if it retries this method, else one.</summary>
    public int Attempts => Retry.RetriesMethod(Method) ? Retry.Attempts : 1;

    /// <summary>Checks a request's arguments and merges them with the session's settings.</summary>
    public static RequestPlan Create(ClientSessionOptions session, JsonSerializerOptions json, string method, string url, RequestOptions? options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        ArgumentNullException.ThrowIfNull(url);
        options ??= s_noOptions;
        if (options.Json is not null && options.Data is not null)
        {
            throw new ArgumentException("The data and json parameters can not be used at the same time.", nameof(options));
        }
        if (options.MaxRedirects is < 0) throw new ArgumentOutOfRangeException(nameof(options), options.MaxRedirects, "MaxRedirects is zero or more.");
        return new RequestPlan(UpperCaseMethod(method), Resolve(session.BaseAddress, url, options.Params), Headers(session, options), Body(options, json))
        {
            Timeout = options.Timeout ?? session.Timeout,
            AllowRedirects = options.AllowRedirects ?? session.AllowRedirects,
            MaxRedirects = options.MaxRedirects ?? session.MaxRedirects,
            RaiseForStatus = options.RaiseForStatus ?? session.RaiseForStatus,
            Retry = (options.Retry ?? session.Retry ?? RetryOptions.None).Validated(),
        };
    }

    /// <summary>The method in upper case, as aiohttp sends it: the shared instance of a standard method (no allocation).</summary>
    /// <exception cref="ArgumentException">Not an HTTP token (a space, a separator, a control character).</exception>
    private static HttpMethod UpperCaseMethod(string method)
    {
        HttpMethod parsed;
        try
        {
            parsed = HttpMethod.Parse(method);
        }
        catch (FormatException error)
        {
            throw new ArgumentException($"Invalid HTTP method '{method}': a method is one token, with no spaces or separators.", nameof(method), error);
        }
        return parsed.Method.AsSpan().ContainsAnyInRange('a', 'z') ? new HttpMethod(method.ToUpperInvariant()) : parsed;
    }

    /// <summary>The session's default headers with the request's own over them (names compared case-insensitively).</summary>
    private static List<KeyValuePair<string, string>> Headers(ClientSessionOptions session, RequestOptions options)
    {
        // The common case, no header at all, shares one empty list.
        if (options.Headers is null && session.DefaultHeaders.Count == 0) return s_noHeaders;
        var headers = new Dictionary<string, string>(session.DefaultHeaders, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in options.Headers ?? []) headers[name] = value;
        return [.. headers];
    }

    /// <summary>The absolute http(s) URL of a request, with its query parameters appended.</summary>
    private static Uri Resolve(Uri? baseAddress, string url, IEnumerable<KeyValuePair<string, string>>? parameters)
    {
        Uri resolved;
        if (Uri.TryCreate(url, UriKind.Absolute, out Uri? absolute) && absolute.Scheme is not "file") resolved = absolute;
        else if (baseAddress is not null && Uri.TryCreate(baseAddress, url, out Uri? relative)) resolved = relative;
        else throw new ArgumentException($"Invalid URL '{url}': not absolute, and the session has no BaseAddress.", nameof(url));
        if (resolved.Scheme != Uri.UriSchemeHttp && resolved.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Invalid URL '{url}': only http and https are supported.", nameof(url));
        }
        if (parameters is null) return resolved;
        var query = new StringBuilder(resolved.Query.TrimStart('?'));
        foreach (var (name, value) in parameters)
        {
            if (query.Length > 0) query.Append('&');
            query.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        return new UriBuilder(resolved) { Query = query.ToString() }.Uri;
    }

    /// <summary>Makes the body's content anew for each message, from what <see cref="RequestOptions"/> gave.</summary>
    private static Func<HttpContent>? Body(RequestOptions options, JsonSerializerOptions json)
    {
        if (options.Json is { } value)
        {
            byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(value, value.GetType(), json);
            return () => WithType(new ByteArrayContent(bytes), "application/json");
        }
        return options.Data is null ? null : DataBody(options);
    }

    /// <summary>A body from <see cref="RequestOptions.Data"/> (its own method: the closure its lambdas share is made on entry).</summary>
    private static Func<HttpContent> DataBody(RequestOptions options)
    {
        return options.Data switch
        {
            byte[] bytes => () => WithType(new ByteArrayContent(bytes), "application/octet-stream"),
            ReadOnlyMemory<byte> memory => () => WithType(new ReadOnlyMemoryContent(memory), "application/octet-stream"),
            string text => () => new StringContent(text, Encoding.UTF8, "text/plain"),
            HttpContent content => () => content,
            IEnumerable<KeyValuePair<string, string>> form => () => new FormUrlEncodedContent(form),
            _ => throw new ArgumentException(
                $"Unsupported body type {options.Data!.GetType()}: give byte[], ReadOnlyMemory<byte>, string, form fields or an HttpContent.",
                nameof(options)),
        };
    }

    private static HttpContent WithType(HttpContent content, string mediaType)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    /// <summary>
    /// A message for one send. A redirect that turns the request into a GET drops the body; one to another
    /// origin drops the <c>Authorization</c> header, as aiohttp does.
    /// </summary>
    public HttpRequestMessage Build(HttpMethod method, Uri url, bool withBody, bool withAuthorization, Version version, HttpVersionPolicy policy)
    {
        var message = new HttpRequestMessage(method, url) { Version = version, VersionPolicy = policy };
        if (withBody && _body is not null) message.Content = _body();
        foreach (var (name, value) in _headers)
        {
            if (!withAuthorization && name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) continue;
            if (message.Headers.TryAddWithoutValidation(name, value)) continue;
            // A content header (Content-Type, ...): it goes on the body, replacing the body's own.
            message.Content ??= new ByteArrayContent([]);
            message.Content.Headers.Remove(name);
            message.Content.Headers.TryAddWithoutValidation(name, value);
        }
        return message;
    }
}
