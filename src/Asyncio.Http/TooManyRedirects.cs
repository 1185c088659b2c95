namespace Asyncio.Http;

/// <summary>
/// A request met <see cref="ClientSessionOptions.MaxRedirects"/> redirect responses: <see cref="ClientResponseError.History"/>
/// holds them, and <see cref="ClientResponseError.Status"/> is the last one's.
/// <para>aiohttp: <c>aiohttp.TooManyRedirects</c>.</para>
/// </summary>
public sealed class TooManyRedirects : ClientResponseError
{
    /// <summary>Creates the error from the redirect responses, oldest first.</summary>
    /// <param name="history">The redirect responses; not empty.</param>
    public TooManyRedirects(IReadOnlyList<ClientResponse> history)
        : base(Last(history).Status, Last(history).Reason, history[0].Url, Last(history).Headers, history)
    {
    }

    private static ClientResponse Last(IReadOnlyList<ClientResponse> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0) throw new ArgumentException("A redirect history is not empty.", nameof(history));
        return history[^1];
    }
}
