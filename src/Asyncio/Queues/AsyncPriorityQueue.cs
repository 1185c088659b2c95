namespace Asyncio;

/// <summary>
/// An <see cref="AsyncQueue{T}"/> that returns the smallest item first (by <see cref="Comparer{T}.Default"/>
/// or the comparer given); items are typically <c>(priority, data)</c> tuples, as in Python.
/// <para>asyncio: <c>asyncio.PriorityQueue</c>.</para>
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class AsyncPriorityQueue<T> : AsyncQueue<T>
{
    /// <summary>
    /// Creates a priority queue holding up to <paramref name="maxSize"/> items (zero or less: unbounded).
    /// <para>asyncio: <c>asyncio.PriorityQueue(maxsize=0)</c>.</para>
    /// </summary>
    /// <param name="maxSize">Items allowed; zero or less means unbounded.</param>
    /// <param name="comparer">Orders the items, smallest first; null for the default comparer.</param>
    public AsyncPriorityQueue(int maxSize = 0, IComparer<T>? comparer = null) : base(maxSize, new PriorityStore<T>(comparer)) { }
}
