namespace Asyncio.Cli.Fetch;

/// <summary>What the downloader tells a progress display; every call comes from the loop's thread.</summary>
internal interface IFetchProgress
{
    /// <summary>A body starts (again, after a restart): <paramref name="done"/> bytes of <paramref name="total"/> already on disk.</summary>
    void Started(int index, string name, long? total, long done);

    /// <summary><paramref name="bytes"/> more bytes were written.</summary>
    void Advanced(int index, long bytes);

    /// <summary>The download of URL <paramref name="index"/> ended.</summary>
    void Ended(int index, FetchResult result);
}

/// <summary>No display (<c>--quiet</c>, redirected output, tests).</summary>
internal sealed class NoProgress : IFetchProgress
{
    /// <summary>The instance.</summary>
    public static readonly NoProgress Instance = new();

    /// <inheritdoc/>
    public void Started(int index, string name, long? total, long done) { }

    /// <inheritdoc/>
    public void Advanced(int index, long bytes) { }

    /// <inheritdoc/>
    public void Ended(int index, FetchResult result) { }
}
