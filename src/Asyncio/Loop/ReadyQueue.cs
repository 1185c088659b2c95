using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// One callback waiting in the ready queue: a static invoker and its two arguments, plus the
/// <see cref="ExecutionContext"/> to run it in (null: the callback restores its own, as task steps do).
/// </summary>
/// <remarks>
/// Storing a static invoker with its state, instead of a closure, is what makes <c>CallSoon</c> and a
/// task wake-up allocation-free: the compiler caches a static lambda once per call site.
/// </remarks>
internal struct ReadyItem
{
    /// <summary>The code to run; null marks an entry cancelled through its <see cref="Handle"/>.</summary>
    public Action<object?, object?>? Invoke;

    /// <summary>First argument of <see cref="Invoke"/>, usually the user's delegate or a task.</summary>
    public object? A;

    /// <summary>Second argument of <see cref="Invoke"/>, usually the user's state or a future.</summary>
    public object? B;

    /// <summary>The context captured when the callback was scheduled, or null.</summary>
    public ExecutionContext? Context;
}

/// <summary>
/// The loop's FIFO of ready callbacks: a growable ring of <see cref="ReadyItem"/> structs.
/// <para>asyncio: <c>BaseEventLoop._ready</c> (a deque of handles).</para>
/// </summary>
/// <remarks>
/// Every entry gets a sequence number, implicit in its position: the entry at the head has number
/// <see cref="_headId"/> and the others follow. A <see cref="Handle"/> keeps that number, so
/// cancelling a queued callback is O(1) and needs no object per callback.
/// Only the loop thread touches this type.
/// </remarks>
[DebuggerDisplay("Count = {Count}")]
internal sealed class ReadyQueue
{
    /// <summary>The ring; its length is always a power of two.</summary>
    private ReadyItem[] _items = new ReadyItem[256];

    /// <summary>Index of the oldest entry.</summary>
    private int _head;

    /// <summary>Number of entries in the ring.</summary>
    private int _count;

    /// <summary>Sequence number of the entry at <see cref="_head"/>.</summary>
    private long _headId;

    /// <summary>The ring never shrinks below this many entries.</summary>
    private const int MinCapacity = 256;

    /// <summary>Number of entries waiting to run.</summary>
    public int Count => _count;

    /// <summary>
    /// Gives memory back after a burst (200,000 tasks starting at once leave a ring of 262,144 entries):
    /// once the ring is mostly empty it is reallocated at a quarter of its size.
    /// </summary>
    public void TrimAfterBurst()
    {
        if (_items.Length > MinCapacity && _count < _items.Length / 8) Resize(Math.Max(MinCapacity, _items.Length / 4));
    }

    /// <summary>Sequence number of the entry <see cref="Dequeue"/> returned last.</summary>
    public long LastDequeuedId => _headId - 1;

    /// <summary>Appends an entry and returns its sequence number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Enqueue(Action<object?, object?> invoke, object? a, object? b, ExecutionContext? context)
    {
        if (_count == _items.Length) Grow();
        ref ReadyItem slot = ref _items[(_head + _count) & (_items.Length - 1)];
        slot.Invoke = invoke;
        slot.A = a;
        slot.B = b;
        slot.Context = context;
        return _headId + _count++;
    }

    /// <summary>Removes the oldest entry; the caller has checked <see cref="Count"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadyItem Dequeue()
    {
        Debug.Assert(_count > 0);
        ref ReadyItem slot = ref _items[_head];
        ReadyItem item = slot;
        slot = default; // let the GC have what the callback referenced
        _head = (_head + 1) & (_items.Length - 1);
        _count--;
        _headId++;
        return item;
    }

    /// <summary>Marks a still-queued entry so it is skipped; false when it already left the queue.</summary>
    public bool TryCancel(long id)
    {
        long offset = id - _headId;
        if (offset < 0 || offset >= _count) return false;
        _items[(_head + (int)offset) & (_items.Length - 1)].Invoke = null;
        return true;
    }

    /// <summary>True while the entry with this number waits and has not been cancelled.</summary>
    public bool IsQueued(long id)
    {
        long offset = id - _headId;
        return offset >= 0 && offset < _count
            && _items[(_head + (int)offset) & (_items.Length - 1)].Invoke is not null;
    }

    /// <summary>Drops every entry (loop close).</summary>
    public void Clear()
    {
        _headId += _count;
        Array.Clear(_items);
        _head = 0;
        _count = 0;
    }

    private void Grow() => Resize(_items.Length * 2);

    private void Resize(int capacity)
    {
        Debug.Assert(capacity >= _count && (capacity & (capacity - 1)) == 0);
        var items = new ReadyItem[capacity];
        for (int i = 0; i < _count; i++)
        {
            items[i] = _items[(_head + i) & (_items.Length - 1)];
        }
        _items = items;
        _head = 0;
    }
}
