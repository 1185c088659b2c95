using System.Net.Http.Headers;

namespace Asyncio.Http;

/// <summary>
/// When and how a failed request is tried again: on a connection error, a connect timeout, or a retryable
/// status (429 and every 5xx by default), for idempotent methods only by default, after an exponential backoff
/// with jitter, or after the server's <c>Retry-After</c> when it sends one (up to <see cref="MaxRetryAfter"/>).
/// The waits are <see cref="Aio.Sleep(double)"/>s on the loop: cancelling the task stops them.
/// aiohttp has no retries; this follows the common aiohttp-retry and urllib3 <c>Retry</c> conventions.
/// </summary>
public sealed record RetryOptions
{
    /// <summary>No retries: one attempt.</summary>
    public static RetryOptions None { get; } = new() { Attempts = 1 };

    /// <summary>The methods retried by default: those RFC 9110 calls idempotent.</summary>
    public static IReadOnlySet<string> IdempotentMethods { get; } =
        new HashSet<string>(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"], StringComparer.OrdinalIgnoreCase);

    /// <summary>How many attempts in all, the first included (at least 1). Default 3.</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>Seconds before the first retry; each later one waits <see cref="Factor"/> times longer. Default 0.1.</summary>
    public double InitialDelay { get; init; } = 0.1;

    /// <summary>The growth of the backoff from one retry to the next. Default 2.</summary>
    public double Factor { get; init; } = 2;

    /// <summary>The longest backoff, in seconds. Default 30.</summary>
    public double MaxDelay { get; init; } = 30;

    /// <summary>
    /// The random part of a backoff, from 0 to 1: a delay d becomes a random value between d × (1 − Jitter) and d,
    /// so that clients that failed together do not retry together. Default 0.5.
    /// </summary>
    public double Jitter { get; init; } = 0.5;

    /// <summary>Whether a <c>Retry-After</c> header (seconds or a date) sets the wait instead of the backoff. Default true.</summary>
    public bool RespectRetryAfter { get; init; } = true;

    /// <summary>The longest <c>Retry-After</c> honoured, in seconds: a longer one waits this long. Default 60.</summary>
    public double MaxRetryAfter { get; init; } = 60;

    /// <summary>The statuses that are retried; null (the default) for 429 and every status from 500 to 599.</summary>
    public IReadOnlySet<int>? Statuses { get; init; }

    /// <summary>The methods that are retried; null (the default) for <see cref="IdempotentMethods"/>. POST and PATCH are not retried unless listed.</summary>
    public IReadOnlySet<string>? Methods { get; init; }

    /// <summary>Checks the values; called when a session or request takes the options.</summary>
    internal RetryOptions Validated()
    {
        if (Attempts < 1) throw new ArgumentOutOfRangeException(nameof(Attempts), Attempts, "At least one attempt.");
        CheckSeconds(InitialDelay, nameof(InitialDelay));
        CheckSeconds(MaxDelay, nameof(MaxDelay));
        CheckSeconds(MaxRetryAfter, nameof(MaxRetryAfter));
        if (!(Factor >= 1 && double.IsFinite(Factor))) throw new ArgumentOutOfRangeException(nameof(Factor), Factor, "A factor of at least 1.");
        if (!(Jitter is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(Jitter), Jitter, "A jitter from 0 to 1.");
        return this;
    }

    private static void CheckSeconds(double seconds, string name)
    {
        if (!(seconds >= 0 && double.IsFinite(seconds))) throw new ArgumentOutOfRangeException(name, seconds, "A number of seconds, zero or more.");
    }

    internal bool RetriesMethod(HttpMethod method) => (Methods ?? IdempotentMethods).Contains(method.Method);

    internal bool RetriesStatus(int status) => Statuses?.Contains(status) ?? (status == 429 || status is >= 500 and <= 599);

    /// <summary>The wait before retry number <paramref name="retry"/> (1 for the first), from the response if it says.</summary>
    internal double DelayBefore(int retry, HttpResponseHeaders? headers)
    {
        if (RespectRetryAfter && RetryAfterSeconds(headers) is { } asked) return Math.Min(asked, MaxRetryAfter);
        double backoff = Math.Min(MaxDelay, InitialDelay * Math.Pow(Factor, retry - 1));
        return backoff * (1 - Jitter * Random.Shared.NextDouble());
    }

    private static double? RetryAfterSeconds(HttpResponseHeaders? headers)
    {
        RetryConditionHeaderValue? retryAfter = headers?.RetryAfter;
        if (retryAfter?.Delta is { } delta) return Math.Max(0, delta.TotalSeconds);
        if (retryAfter?.Date is { } date) return Math.Max(0, (date - DateTimeOffset.UtcNow).TotalSeconds);
        return null;
    }
}
