using System.Net;

namespace Asyncio.Http;

/// <summary>
/// The server answered with an error status (400 or more), raised by <see cref="ClientResponse.RaiseForStatus"/>
/// or by a session with <see cref="ClientSessionOptions.RaiseForStatus"/>; also the base of the errors about a
/// response (<see cref="TooManyRedirects"/>, <see cref="ContentTypeError"/>). An <see cref="HttpRequestException"/>,
/// so code written for <see cref="HttpClient"/> catches it too.
/// <para>aiohttp: <c>aiohttp.ClientResponseError</c>.</para>
/// </summary>
public class ClientResponseError : HttpRequestException
{
    /// <summary>
    /// Creates the error.
    /// <para>aiohttp: <c>ClientResponseError(request_info, history, status=..., message=..., headers=...)</c>.</para>
    /// </summary>
    /// <param name="status">The response's status code.</param>
    /// <param name="reason">The response's reason phrase (aiohttp's <c>message</c>).</param>
    /// <param name="url">The URL of the request that got the response.</param>
    /// <param name="headers">The response's headers, if known.</param>
    /// <param name="history">The redirect responses that led to it, oldest first.</param>
    public ClientResponseError(int status, string reason, Uri? url, ResponseHeaders? headers = null,
        IReadOnlyList<ClientResponse>? history = null)
        : base(Describe(status, reason, url), null, status is >= 100 and <= 999 ? (HttpStatusCode)status : null)
    {
        Status = status;
        Reason = reason ?? "";
        RequestUrl = url;
        Headers = headers;
        History = history ?? [];
    }

    /// <summary>The status code. <para>aiohttp: <c>ClientResponseError.status</c>.</para></summary>
    public int Status { get; }

    /// <summary>The reason phrase. <para>aiohttp: <c>ClientResponseError.message</c>.</para></summary>
    public string Reason { get; }

    /// <summary>The URL of the request. <para>aiohttp: <c>ClientResponseError.request_info.real_url</c>.</para></summary>
    public Uri? RequestUrl { get; }

    /// <summary>The response's headers, if known. <para>aiohttp: <c>ClientResponseError.headers</c>.</para></summary>
    public ResponseHeaders? Headers { get; }

    /// <summary>The redirect responses before this one, oldest first. <para>aiohttp: <c>ClientResponseError.history</c>.</para></summary>
    public IReadOnlyList<ClientResponse> History { get; }

    /// <summary>aiohttp's text: <c>404, message='Not Found', url='http://host/path'</c>.</summary>
    private static string Describe(int status, string? reason, Uri? url) =>
        $"{status}, message='{reason}', url='{url}'";
}
