namespace Asyncio;

/// <summary>
/// Thrown by <see cref="AsyncBarrier.WaitAsync"/> when the barrier is aborted, or reset while the task waits.
/// <para>asyncio: <c>asyncio.BrokenBarrierError</c> (a <c>RuntimeError</c>).</para>
/// </summary>
public class BrokenBarrierError : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">Why the barrier broke.</param>
    public BrokenBarrierError(string message) : base(message) { }
}
