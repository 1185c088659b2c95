namespace Asyncio.Cli.Fetch;

/// <summary>What <c>aio fetch</c> was asked to do (the parsed command line).</summary>
internal sealed record FetchOptions
{
    /// <summary>The URLs, in order.</summary>
    public required IReadOnlyList<Uri> Urls { get; init; }

    /// <summary>The directory the files go to (created if missing).</summary>
    public string OutDir { get; init; } = ".";

    /// <summary>Downloads at once, in all.</summary>
    public int Concurrency { get; init; } = 4;

    /// <summary>Downloads at once from one host.</summary>
    public int PerHost { get; init; } = 2;

    /// <summary>The most requests per period (<c>--rate 10/s</c>), or null for no limit.</summary>
    public RequestRate? Rate { get; init; }

    /// <summary>Retries of a request after a connection error, a timeout, a 5xx or a 429.</summary>
    public int Retries { get; init; } = 3;

    /// <summary>Seconds to wait for the headers, and for each read of the body.</summary>
    public double TimeoutSeconds { get; init; } = 30;

    /// <summary>The largest file accepted, in bytes, or null for no limit.</summary>
    public long? MaxSize { get; init; }

    /// <summary>The expected SHA-256 of the single URL's file (lowercase hex), or null.</summary>
    public string? Sha256 { get; init; }

    /// <summary>Expected SHA-256 digests by file name (<c>--manifest</c>), or null.</summary>
    public IReadOnlyDictionary<string, string>? Manifest { get; init; }

    /// <summary>True to skip TLS certificate verification.</summary>
    public bool Insecure { get; init; }

    /// <summary>The first retry's delay, in seconds; doubles with each retry (tests shorten it).</summary>
    public double BackoffBaseSeconds { get; init; } = 0.5;

    /// <summary>The longest delay between retries, in seconds, including one a <c>Retry-After</c> asks for.</summary>
    public double BackoffCapSeconds { get; init; } = 60;
}

/// <summary>A request rate: <paramref name="Count"/> requests per <paramref name="PeriodSeconds"/> seconds.</summary>
/// <param name="Count">Requests allowed per period (also the burst).</param>
/// <param name="PeriodSeconds">The period.</param>
internal readonly record struct RequestRate(double Count, double PeriodSeconds);
