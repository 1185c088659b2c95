namespace Asyncio;

/// <summary>
/// Where a queue keeps its items: the one thing the three queue kinds do differently (asyncio's
/// overridable <c>_init</c>, <c>_put</c>, <c>_get</c>).
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
internal abstract class QueueStore<T>
{
    /// <summary>Items held.</summary>
    public abstract int Count { get; }

    /// <summary>Adds an item.</summary>
    public abstract void Add(T item);

    /// <summary>Removes and returns the next item; only called when <see cref="Count"/> is positive.</summary>
    public abstract T Take();

    /// <summary>The items in the order they would be taken, for <c>ToString</c>.</summary>
    public abstract IEnumerable<T> InTakeOrder();
}

/// <summary>First in, first out (<see cref="AsyncQueue{T}"/>).</summary>
internal sealed class FifoStore<T> : QueueStore<T>
{
    private readonly Queue<T> _items = new();

    public override int Count => _items.Count;

    public override void Add(T item) => _items.Enqueue(item);

    public override T Take() => _items.Dequeue();

    public override IEnumerable<T> InTakeOrder() => _items;
}

/// <summary>Last in, first out (<see cref="AsyncLifoQueue{T}"/>).</summary>
internal sealed class LifoStore<T> : QueueStore<T>
{
    private readonly Stack<T> _items = new();

    public override int Count => _items.Count;

    public override void Add(T item) => _items.Push(item);

    public override T Take() => _items.Pop();

    public override IEnumerable<T> InTakeOrder() => _items;
}

/// <summary>Smallest first, by a comparer (<see cref="AsyncPriorityQueue{T}"/>): a binary min-heap like <c>heapq</c>.</summary>
internal sealed class PriorityStore<T> : QueueStore<T>
{
    private readonly PriorityQueue<T, T> _items;

    public PriorityStore(IComparer<T>? comparer) => _items = new PriorityQueue<T, T>(comparer);

    public override int Count => _items.Count;

    public override void Add(T item) => _items.Enqueue(item, item);

    public override T Take() => _items.Dequeue();

    public override IEnumerable<T> InTakeOrder() => _items.UnorderedItems.Select(e => e.Element).Order(_items.Comparer);
}
