using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// A flag tasks can wait for. <see cref="Set"/> wakes every current waiter at once; a later
/// <see cref="Clear"/> does not un-wake them.
/// <para>asyncio: <c>asyncio.Event</c>.</para>
/// </summary>
/// <remarks>
/// Not thread-safe: use it from its loop's thread. It binds to the loop it first waits on; from then on, in
/// debug mode, a change from another thread while that loop runs throws.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class AsyncEvent : IWaiterOwner
{
    /// <summary>The tasks waiting; each leaves when it runs.</summary>
    private readonly WaiterQueue _waiters = new();

    /// <summary>The loop this event waits on.</summary>
    private LoopBinding _loop;

    /// <summary>The flag.</summary>
    private bool _value;

    /// <summary>
    /// True once <see cref="Set"/> was called and until <see cref="Clear"/>.
    /// <para>asyncio: <c>Event.is_set()</c>.</para>
    /// </summary>
    public bool IsSet => _value;

    /// <summary>
    /// Sets the flag and wakes every waiting task; does nothing if already set.
    /// <para>asyncio: <c>Event.set()</c>.</para>
    /// </summary>
    public void Set()
    {
        _loop.CheckThread(this);
        if (_value) return;
        _value = true;
        _waiters.WakePending(int.MaxValue);
    }

    /// <summary>
    /// Resets the flag; tasks already woken still return from their wait.
    /// <para>asyncio: <c>Event.clear()</c>.</para>
    /// </summary>
    public void Clear()
    {
        _loop.CheckThread(this);
        _value = false;
    }

    /// <summary>
    /// Waits until the flag is set and returns true; returns at once, without yielding, if it is set.
    /// <para>asyncio: <c>await event.wait()</c>.</para>
    /// </summary>
    /// <exception cref="CancelledError">The task was cancelled while waiting.</exception>
    public LoopAwaitable<bool> WaitAsync()
    {
        if (_value) return new LoopAwaitable<bool>(true);
        return new LoopAwaitable<bool>(_waiters.Enqueue(_loop.Get(this), this), true);
    }

    void IWaiterOwner.OnResumed(Waiter waiter) => _waiters.Remove(waiter);

    void IWaiterOwner.OnAbandoned(Waiter waiter) => _waiters.Remove(waiter);

    /// <inheritdoc/>
    public override string ToString()
    {
        string extra = _value ? "set" : "unset";
        if (_waiters.Count > 0) extra += $", waiters:{_waiters.Count}";
        return $"<AsyncEvent [{extra}]>";
    }
}
