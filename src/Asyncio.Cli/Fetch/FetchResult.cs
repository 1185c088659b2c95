namespace Asyncio.Cli.Fetch;

/// <summary>How a URL's download ended.</summary>
internal enum FetchStatus
{
    /// <summary>Downloaded (or completed from a <c>.part</c>), verified and renamed.</summary>
    Downloaded,

    /// <summary>An existing file of the same name already verified (digest or size): nothing written.</summary>
    Skipped,

    /// <summary>Failed; a resumable <c>.part</c> may remain.</summary>
    Failed,
}

/// <summary>The outcome for one URL, as the summary table and the <c>--json</c> report show it.</summary>
/// <param name="Url">The URL.</param>
/// <param name="Status">How it ended.</param>
/// <param name="Path">The file written or found (or the <c>.part</c> kept), if any.</param>
/// <param name="Bytes">The file's size (downloaded: received in this run plus resumed).</param>
/// <param name="Sha256">The file's SHA-256 (lowercase hex) when computed.</param>
/// <param name="Resumed">True when the download continued a <c>.part</c>.</param>
/// <param name="Attempts">Requests made (1 + retries).</param>
/// <param name="Error">Why it failed, or null.</param>
internal sealed record FetchResult(
    Uri Url, FetchStatus Status, string? Path, long Bytes, string? Sha256, bool Resumed, int Attempts, string? Error);
