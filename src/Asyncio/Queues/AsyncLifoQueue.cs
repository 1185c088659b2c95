namespace Asyncio;

/// <summary>
/// An <see cref="AsyncQueue{T}"/> that returns the most recently put item first.
/// <para>asyncio: <c>asyncio.LifoQueue</c>.</para>
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class AsyncLifoQueue<T> : AsyncQueue<T>
{
    /// <summary>
    /// Creates a LIFO queue holding up to <paramref name="maxSize"/> items (zero or less: unbounded).
    /// <para>asyncio: <c>asyncio.LifoQueue(maxsize=0)</c>.</para>
    /// </summary>
    public AsyncLifoQueue(int maxSize = 0) : base(maxSize, new LifoStore<T>()) { }
}
