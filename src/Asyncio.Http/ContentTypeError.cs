namespace Asyncio.Http;

/// <summary>
/// <see cref="ClientResponse.JsonAsync{T}"/> was called on a response whose <c>Content-Type</c> is not the one expected.
/// <para>aiohttp: <c>aiohttp.ContentTypeError</c>.</para>
/// </summary>
public sealed class ContentTypeError : ClientResponseError
{
    /// <summary>Creates the error for <paramref name="response"/>.</summary>
    /// <param name="response">The response whose content type was refused.</param>
    public ContentTypeError(ClientResponse response)
        : base(response?.Status ?? 0, $"Attempt to decode JSON with unexpected mimetype: {response?.ContentType}",
            response?.Url, response?.Headers, response?.History)
    {
    }
}
