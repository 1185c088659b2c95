namespace Asyncio;

/// <summary>
/// A future was asked for something its state does not allow: its result while pending, or a second
/// result once done.
/// <para>asyncio: <c>asyncio.InvalidStateError</c>.</para>
/// </summary>
public class InvalidStateError : InvalidOperationException
{
    /// <summary>Creates the error with a message that says what was wrong.</summary>
    /// <param name="message">What the caller asked for and why the state refuses it.</param>
    public InvalidStateError(string message) : base(message) { }
}
