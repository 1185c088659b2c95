namespace Asyncio;

/// <summary>
/// An executor failed in a way that makes it unusable: its pending jobs fail with this error and new
/// submissions throw it.
/// <para>asyncio: <c>concurrent.futures.BrokenExecutor</c> (a <c>RuntimeError</c>).</para>
/// </summary>
public class BrokenExecutor : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What broke.</param>
    /// <param name="innerException">The failure that broke the executor, if any.</param>
    public BrokenExecutor(string message, Exception? innerException = null) : base(message, innerException) { }
}
