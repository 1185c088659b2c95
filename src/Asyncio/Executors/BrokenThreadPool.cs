namespace Asyncio;

/// <summary>
/// A worker thread's initializer failed: the <see cref="ThreadPoolExecutor"/> runs no more jobs.
/// <para>asyncio: <c>concurrent.futures.thread.BrokenThreadPool</c>.</para>
/// </summary>
public sealed class BrokenThreadPool : BrokenExecutor
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What broke.</param>
    /// <param name="innerException">The initializer's exception.</param>
    public BrokenThreadPool(string message, Exception? innerException = null) : base(message, innerException) { }
}
