namespace Asyncio;

/// <summary>
/// <see cref="AsyncStreamReader.ReadUntilAsync"/> found no separator within the reader's limit. Nothing was
/// consumed: the bytes stay in the reader, and <see cref="Consumed"/> says how many may be taken before another try.
/// <para>asyncio: <c>asyncio.LimitOverrunError</c> (an <c>Exception</c>; here an <see cref="IOException"/>, since
/// it is a failed read). <see cref="AsyncStreamReader.ReadLineAsync"/> throws an <see cref="InvalidDataException"/>
/// with this error inside instead (asyncio's <c>ValueError</c>), after dropping the over-long line.</para>
/// </summary>
public class LimitOverrunError : IOException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What was exceeded.</param>
    /// <param name="consumed">How many bytes are to be consumed.</param>
    public LimitOverrunError(string message, int consumed) : base(message) => Consumed = consumed;

    /// <summary>
    /// How many bytes are to be consumed: the buffered bytes the separator can no longer start in, or the offset
    /// of a separator found beyond the limit.
    /// <para>asyncio: <c>LimitOverrunError.consumed</c>.</para>
    /// </summary>
    public int Consumed { get; }
}
