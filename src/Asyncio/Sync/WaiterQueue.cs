using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// The FIFO of waiting tasks behind every primitive (locks, semaphores, events, conditions, queues, the
/// rate limiter): an intrusive doubly-linked list of <see cref="Waiter"/> futures.
/// <para>asyncio: the <c>collections.deque</c> of futures each primitive keeps in <c>_waiters</c>,
/// <c>_getters</c>, <c>_putters</c>.</para>
/// </summary>
/// <remarks>
/// <para>Waiters stay in the list after they are done until their owner removes them, as in asyncio: a woken
/// waiter that has not run yet still counts, which is what stops a newcomer from barging ahead of it.</para>
/// <para>Invariant: every waiter before <see cref="_firstPending"/> is done (woken or cancelled). Waiters
/// only go from pending to done and new ones join at the tail, so waking the next pending waiter never
/// rescans the done prefix.</para>
/// </remarks>
[DebuggerDisplay("Count = {Count}, Live = {LiveCount}")]
internal sealed class WaiterQueue
{
    /// <summary>The oldest waiter.</summary>
    private Waiter? _head;

    /// <summary>The newest waiter.</summary>
    private Waiter? _tail;

    /// <summary>The oldest waiter that is not done, or null if none (see the invariant).</summary>
    private Waiter? _firstPending;

    /// <summary>Waiters in the list, done or not.</summary>
    private int _count;

    /// <summary>Cancelled waiters still in the list.</summary>
    private int _cancelled;

    /// <summary>A waiter whose wait is over, kept for the next <see cref="Enqueue"/> (see <see cref="Waiter.Recycle"/>).</summary>
    private Waiter? _spare;

    /// <summary>Waiters in the list, done or not (asyncio: <c>len(self._waiters)</c>).</summary>
    public int Count => _count;

    /// <summary>Waiters in the list that are not cancelled: pending, or woken and not yet run.</summary>
    public int LiveCount => _count - _cancelled;

    /// <summary>The oldest waiter, done or not.</summary>
    public Waiter? First => _head;

    /// <summary>Creates a waiter on <paramref name="loop"/> and appends it.</summary>
    public Waiter Enqueue(EventLoop loop, IWaiterOwner? owner = null, double amount = 0)
    {
        Waiter? waiter = _spare;
        if (waiter is not null && waiter.Loop == loop && waiter.Owner == owner)
        {
            _spare = null;
            waiter.Reuse(amount);
        }
        else
        {
            waiter = new Waiter(loop, owner, this) { Amount = amount };
        }
        Append(waiter);
        return waiter;
    }

    /// <summary>Keeps a waiter made here whose wait is over for the next <see cref="Enqueue"/>; one is enough for a steady flow.</summary>
    internal void TakeBack(Waiter waiter)
    {
        Debug.Assert(waiter.Queue is null);
        _spare ??= waiter;
    }

    /// <summary>Links a pending waiter that is in no queue at the tail.</summary>
    public void Append(Waiter waiter)
    {
        Debug.Assert(waiter.Queue is null && !waiter.IsDone);
        waiter.Queue = this;
        waiter.Prev = _tail;
        if (_tail is null) _head = waiter;
        else _tail.Next = waiter;
        _tail = waiter;
        _count++;
        _firstPending ??= waiter;
        AssertInvariants();
    }

    /// <summary>Unlinks <paramref name="waiter"/>; does nothing if it already left (asyncio's <c>remove</c> guarded by <c>except ValueError</c>).</summary>
    public void Remove(Waiter waiter)
    {
        if (waiter.Queue != this) return;
        if (waiter.Prev is null) _head = waiter.Next;
        else waiter.Prev.Next = waiter.Next;
        if (waiter.Next is null) _tail = waiter.Prev;
        else waiter.Next.Prev = waiter.Prev;
        if (_firstPending == waiter) _firstPending = waiter.Next;
        if (waiter.IsCancelled) _cancelled--;
        waiter.Queue = null;
        waiter.Prev = waiter.Next = null;
        _count--;
        AssertInvariants();
    }

    /// <summary>Wakes the first waiter if it is still pending; a done first waiter blocks the wake-up (asyncio's <c>Lock._wake_up_first</c>).</summary>
    public bool WakeFirst()
    {
        if (_head is null || _head.IsDone) return false;
        Wake(_head);
        return true;
    }

    /// <summary>Wakes the oldest pending waiter, leaving it in the list; false if none is pending.</summary>
    public bool WakeNextPending()
    {
        Waiter? waiter = NextPending();
        if (waiter is null) return false;
        Wake(waiter);
        return true;
    }

    /// <summary>The oldest pending waiter, without waking it.</summary>
    public Waiter? NextPending()
    {
        while (_firstPending is { IsDone: true } done) _firstPending = done.Next;
        return _firstPending;
    }

    /// <summary>Wakes up to <paramref name="n"/> pending waiters, oldest first, leaving them in the list; returns how many.</summary>
    public int WakePending(int n)
    {
        int woken = 0;
        while (woken < n && WakeNextPending()) woken++;
        return woken;
    }

    /// <summary>
    /// Removes waiters from the front until one is pending, wakes and removes that one (asyncio's
    /// <c>Queue._wakeup_next</c>).
    /// </summary>
    public bool DequeueAndWake()
    {
        while (_head is { } waiter)
        {
            Remove(waiter);
            if (!waiter.IsDone)
            {
                Wake(waiter);
                return true;
            }
        }
        return false;
    }

    /// <summary>Wakes a pending waiter.</summary>
    public void Wake(Waiter waiter)
    {
        Debug.Assert(!waiter.IsDone);
        waiter.TrySetResult(true);
        if (_firstPending == waiter) _firstPending = waiter.Next;
        AssertInvariants();
    }

    /// <summary>Called by a linked waiter that has just been cancelled.</summary>
    internal void OnCancelled(Waiter waiter)
    {
        Debug.Assert(waiter.Queue == this);
        _cancelled++;
        AssertInvariants();
    }

    /// <summary>Longest list <see cref="AssertInvariants"/> walks in full.</summary>
    private const int FullCheckLimit = 64;

    /// <summary>
    /// Checks the list (debug builds): the ends and counts agree, and, for short lists, the links are symmetric,
    /// every waiter belongs to this queue, the counts match a walk, and every waiter before
    /// <see cref="_firstPending"/> is done.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_count >= 0 && _cancelled >= 0 && _cancelled <= _count);
        Debug.Assert((_head is null) == (_count == 0) && (_tail is null) == (_count == 0));
        Debug.Assert(_head?.Prev is null && _tail?.Next is null);
        if (_count > FullCheckLimit) return;
        int count = 0, cancelled = 0;
        bool beforeFirstPending = _firstPending is not null;
        for (Waiter? w = _head; w is not null; w = w.Next)
        {
            Debug.Assert(w.Queue == this && (w.Next is null ? _tail == w : w.Next.Prev == w));
            if (w == _firstPending) beforeFirstPending = false;
            Debug.Assert(!beforeFirstPending || w.IsDone, "every waiter before the first pending one is done");
            count++;
            if (w.IsCancelled) cancelled++;
        }
        Debug.Assert(count == _count && cancelled == _cancelled);
    }
}
