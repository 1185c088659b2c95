namespace Asyncio.Cli.Fetch;

/// <summary>What the downloads of one run share.</summary>
/// <param name="Options">The options.</param>
/// <param name="Source">The HTTP client.</param>
/// <param name="Progress">The progress display.</param>
/// <param name="Limiter">The request rate limit (<c>--rate</c>), or null.</param>
/// <param name="Names">The names claimed so far.</param>
/// <param name="Retry">The backoff.</param>
internal sealed record FetchRun(
    FetchOptions Options, HttpSource Source, IFetchProgress Progress, AsyncLimiter? Limiter, ReservedNames Names, RetryPolicy Retry);
