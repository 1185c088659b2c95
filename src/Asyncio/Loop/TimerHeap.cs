using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// The loop's scheduled timers: a binary min-heap of <see cref="TimerHandle"/> ordered by deadline,
/// then by scheduling order.
/// <para>asyncio: <c>BaseEventLoop._scheduled</c> (a <c>heapq</c> list).</para>
/// </summary>
/// <remarks>
/// Cancelled timers stay in the heap and are dropped when they reach the top (lazy deletion), as in
/// asyncio; when more than half of a large heap is cancelled it is rebuilt, so a program that arms and
/// cancels many timeouts does not keep their handles alive. Ties are broken by scheduling order, which
/// asyncio leaves undefined: a deterministic order is one of the orders asyncio allows.
/// Only the loop thread touches this type.
/// </remarks>
[DebuggerDisplay("Count = {Count}, Cancelled = {_cancelled}")]
internal sealed class TimerHeap
{
    /// <summary>asyncio's <c>_MIN_SCHEDULED_TIMER_HANDLES</c>: below this size the heap is never rebuilt.</summary>
    private const int MinSizeToRebuild = 100;

    /// <summary>The heap array; entries past <see cref="_count"/> are null.</summary>
    private TimerHandle[] _items = new TimerHandle[64];

    /// <summary>Number of timers in the heap, cancelled ones included.</summary>
    private int _count;

    /// <summary>How many of the timers in the heap are cancelled.</summary>
    private int _cancelled;

    /// <summary>Counter that orders timers with equal deadlines.</summary>
    private long _nextSequence;

    /// <summary>Number of timers in the heap, cancelled ones included.</summary>
    public int Count => _count;

    /// <summary>Adds a timer.</summary>
    public void Push(TimerHandle timer)
    {
        timer.Sequence = _nextSequence++;
        timer.InHeap = true;
        if (_count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[_count] = timer;
        SiftUp(_count++);
        AssertInvariants();
    }

    /// <summary>The earliest live timer, dropping cancelled ones found on top; null when none.</summary>
    public TimerHandle? PeekLive()
    {
        while (_count > 0)
        {
            TimerHandle top = _items[0];
            if (!top.IsCancelled) return top;
            RemoveTop();
            _cancelled--;
        }
        return null;
    }

    /// <summary>Removes and returns the top timer; the caller has seen it with <see cref="PeekLive"/>.</summary>
    public TimerHandle Pop()
    {
        Debug.Assert(_count > 0);
        TimerHandle top = _items[0];
        RemoveTop();
        AssertInvariants();
        return top;
    }

    /// <summary>Notes that a timer in the heap was cancelled, rebuilding the heap when most are.</summary>
    public void OnCancelled()
    {
        _cancelled++;
        if (_count > MinSizeToRebuild && _cancelled * 2 > _count) Rebuild();
        AssertInvariants();
    }

    /// <summary>Drops every timer (loop close).</summary>
    public void Clear()
    {
        for (int i = 0; i < _count; i++) _items[i].InHeap = false;
        Array.Clear(_items, 0, _count);
        _count = 0;
        _cancelled = 0;
    }

    /// <summary>Largest heap whose order <see cref="AssertInvariants"/> checks in full (debug builds stay linear in practice).</summary>
    private const int FullCheckLimit = 64;

    /// <summary>
    /// Checks the heap (debug builds): the counts are consistent, slots past the end are empty, the top precedes its
    /// children, and, for small heaps, every parent precedes its children.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_count >= 0 && _count <= _items.Length);
        Debug.Assert(_cancelled >= 0 && _cancelled <= _count, "cancelled timers are counted among those in the heap");
        Debug.Assert(_count == _items.Length || _items[_count] is null, "slots past the end are empty");
        int checkedCount = _count <= FullCheckLimit ? _count : Math.Min(_count, 3);
        for (int i = 1; i < checkedCount; i++)
        {
            Debug.Assert(!Before(_items[i], _items[(i - 1) >> 1]), "a parent precedes its children");
            Debug.Assert(_items[i].InHeap);
        }
    }

    private void RemoveTop()
    {
        _items[0].InHeap = false;
        _count--;
        _items[0] = _items[_count];
        _items[_count] = null!;
        if (_count > 0) SiftDown(0);
    }

    private void Rebuild()
    {
        int live = 0;
        for (int i = 0; i < _count; i++)
        {
            TimerHandle t = _items[i];
            if (t.IsCancelled) t.InHeap = false;
            else _items[live++] = t;
        }
        Array.Clear(_items, live, _count - live);
        _count = live;
        _cancelled = 0;
        for (int i = (_count >> 1) - 1; i >= 0; i--) SiftDown(i);
    }

    private static bool Before(TimerHandle a, TimerHandle b) =>
        a.When < b.When || (a.When == b.When && a.Sequence < b.Sequence);

    private void SiftUp(int i)
    {
        TimerHandle item = _items[i];
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Before(item, _items[parent])) break;
            _items[i] = _items[parent];
            i = parent;
        }
        _items[i] = item;
    }

    private void SiftDown(int i)
    {
        TimerHandle item = _items[i];
        int half = _count >> 1;
        while (i < half)
        {
            int child = 2 * i + 1;
            if (child + 1 < _count && Before(_items[child + 1], _items[child])) child++;
            if (!Before(_items[child], item)) break;
            _items[i] = _items[child];
            i = child;
        }
        _items[i] = item;
    }
}
