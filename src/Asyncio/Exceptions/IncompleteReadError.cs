namespace Asyncio;

/// <summary>
/// The stream ended before a read got what it asked for: <see cref="AsyncStreamReader.ReadExactlyAsync"/> before
/// <see cref="Expected"/> bytes, <see cref="AsyncStreamReader.ReadUntilAsync"/> before the separator. The bytes
/// read until the end are in <see cref="Partial"/>; they are no longer in the reader.
/// <para>asyncio: <c>asyncio.IncompleteReadError</c> (an <c>EOFError</c>; here an <see cref="EndOfStreamException"/>).</para>
/// </summary>
public class IncompleteReadError : EndOfStreamException
{
    /// <summary>Creates the error.</summary>
    /// <param name="partial">The bytes read before the end of the stream.</param>
    /// <param name="expected">How many bytes were expected; null when a separator was.</param>
    public IncompleteReadError(byte[] partial, int? expected)
        : base($"{partial?.Length ?? 0} bytes read on a total of {(expected is { } n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "undefined")} expected bytes")
    {
        ArgumentNullException.ThrowIfNull(partial);
        Partial = partial;
        Expected = expected;
    }

    /// <summary>
    /// The bytes read before the end of the stream.
    /// <para>asyncio: <c>IncompleteReadError.partial</c>.</para>
    /// </summary>
    public byte[] Partial { get; }

    /// <summary>
    /// How many bytes the read expected; null for a read until a separator (asyncio's <c>None</c>).
    /// <para>asyncio: <c>IncompleteReadError.expected</c>.</para>
    /// </summary>
    public int? Expected { get; }
}
