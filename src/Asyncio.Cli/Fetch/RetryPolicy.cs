namespace Asyncio.Cli.Fetch;

/// <summary>
/// How long to wait before retry number <c>n</c>: exponential backoff with jitter, or the server's <c>Retry-After</c>
/// when it asks for longer, never more than the cap.
/// </summary>
/// <param name="BaseSeconds">The first retry's nominal delay.</param>
/// <param name="CapSeconds">The longest delay.</param>
internal sealed record RetryPolicy(double BaseSeconds, double CapSeconds)
{
    /// <summary>The delay in seconds before retry <paramref name="retry"/> (1 for the first).</summary>
    /// <param name="retry">Which retry this is, from 1.</param>
    /// <param name="retryAfter">The server's <c>Retry-After</c>, if any.</param>
    /// <param name="random">A number in [0, 1): the jitter.</param>
    public double Delay(int retry, TimeSpan? retryAfter, double random)
    {
        // "Equal jitter": half the exponential delay fixed, half random, so clients that failed together spread out
        // but none retries at once.
        double exponential = Math.Min(CapSeconds, BaseSeconds * Math.Pow(2, retry - 1));
        double delay = (exponential / 2) + (exponential / 2 * random);
        if (retryAfter is { } asked) delay = Math.Max(delay, asked.TotalSeconds);
        return Math.Clamp(delay, 0, CapSeconds);
    }

    /// <summary>True for the statuses worth retrying: 408, 429 and every 5xx.</summary>
    public static bool IsTransient(int status) => status is 408 or 429 or >= 500 and <= 599;
}
