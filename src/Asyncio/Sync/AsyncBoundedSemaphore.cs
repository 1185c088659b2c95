namespace Asyncio;

/// <summary>
/// A semaphore that refuses to be released more often than it was acquired: the count never exceeds the
/// initial value.
/// <para>asyncio: <c>asyncio.BoundedSemaphore</c>.</para>
/// </summary>
public sealed class AsyncBoundedSemaphore : AsyncSemaphore
{
    /// <summary>The initial value, which the count may not exceed.</summary>
    private readonly int _bound;

    /// <summary>
    /// Creates a bounded semaphore with <paramref name="value"/> free units.
    /// <para>asyncio: <c>asyncio.BoundedSemaphore(value=1)</c>.</para>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    public AsyncBoundedSemaphore(int value = 1) : base(value) => _bound = value;

    /// <summary>
    /// Gives a unit back, handing it to the first waiting task if there is one.
    /// <para>asyncio: <c>BoundedSemaphore.release()</c>.</para>
    /// </summary>
    /// <exception cref="SemaphoreFullException">Released more often than acquired (asyncio's <c>ValueError</c>).</exception>
    public override void Release()
    {
        if (FreeUnits >= _bound) throw new SemaphoreFullException("BoundedSemaphore released too many times");
        base.Release();
    }
}
