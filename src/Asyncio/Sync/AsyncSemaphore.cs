using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// A counter of free units: <see cref="AcquireAsync"/> takes one (waiting while none is free),
/// <see cref="Release"/> gives one back. A release with tasks waiting hands the unit straight to the first
/// of them, so acquisition is FIFO and a newcomer cannot overtake a woken waiter.
/// <para>asyncio: <c>asyncio.Semaphore</c>.</para>
/// </summary>
/// <example><code>using (await sem.AcquireAsync()) { ... }</code></example>
/// <remarks>Not thread-safe: use it from its loop's thread. It binds to the loop it first waits on.</remarks>
[DebuggerDisplay("{ToString(),nq}")]
public class AsyncSemaphore : IWaiterOwner, IReleasable
{
    /// <summary>The tasks waiting, in arrival order; a woken one stays until it runs.</summary>
    private readonly WaiterQueue _waiters = new();

    /// <summary>The loop this semaphore waits on.</summary>
    private LoopBinding _loop;

    /// <summary>Free units; a unit handed to a woken waiter is already taken off.</summary>
    private int _value;

    /// <summary>
    /// Creates a semaphore with <paramref name="value"/> free units.
    /// <para>asyncio: <c>asyncio.Semaphore(value=1)</c>.</para>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is negative.</exception>
    public AsyncSemaphore(int value = 1)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), value, "Semaphore initial value must be >= 0");
        _value = value;
    }

    /// <summary>Free units (asyncio: <c>_value</c>).</summary>
    internal int Value => _value;

    /// <summary>
    /// True when an acquisition would wait: no unit is free, or tasks that are not cancelled are in line.
    /// <para>asyncio: <c>Semaphore.locked()</c>.</para>
    /// </summary>
    public bool IsLocked => _value == 0 || _waiters.LiveCount > 0;

    /// <summary>
    /// Takes a unit, waiting in line while none is free. The result gives the unit back when disposed.
    /// Completes without waiting (and without allocating) when a unit is free and nobody is in line.
    /// <para>asyncio: <c>await sem.acquire()</c> / <c>async with sem</c>.</para>
    /// </summary>
    /// <exception cref="CancelledError">The task was cancelled while waiting (no unit is then held).</exception>
    public LoopAwaitable<Releaser> AcquireAsync()
    {
        _loop.CheckThread(this);
        if (!IsLocked)
        {
            _value--;
            return new LoopAwaitable<Releaser>(new Releaser(this));
        }
        Waiter waiter = _waiters.Enqueue(_loop.Get(this), this);
        return new LoopAwaitable<Releaser>(waiter, new Releaser(this));
    }

    /// <summary>
    /// Gives a unit back, handing it to the first waiting task if there is one. May raise the count above
    /// the initial value (see <see cref="AsyncBoundedSemaphore"/>).
    /// <para>asyncio: <c>Semaphore.release()</c>.</para>
    /// </summary>
    public virtual void Release()
    {
        _loop.CheckThread(this);
        _value++;
        WakeNext();
    }

    /// <summary>Free units as asyncio's bounded semaphore compares them with its bound.</summary>
    private protected int FreeUnits => _value;

    /// <summary>Hands one free unit to the oldest pending waiter; false if none waits.</summary>
    private bool WakeNext()
    {
        if (_waiters.NextPending() is not { } waiter) return false;
        _value--;
        _waiters.Wake(waiter);
        return true;
    }

    /// <summary>Units freed while the resuming task was in line go on to the next waiters (asyncio's <c>finally</c> in <c>acquire</c>).</summary>
    private void PassOnFreeUnits()
    {
        while (_value > 0 && WakeNext()) { }
    }

    void IWaiterOwner.OnResumed(Waiter waiter)
    {
        _waiters.Remove(waiter);
        PassOnFreeUnits();
    }

    void IWaiterOwner.OnAbandoned(Waiter waiter)
    {
        _waiters.Remove(waiter);
        // Granted a unit, then cancelled before running: the unit goes back (and on to the next in line).
        if (waiter.IsWoken) _value++;
        PassOnFreeUnits();
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string extra = IsLocked ? "locked" : $"unlocked, value:{_value}";
        if (_waiters.Count > 0) extra += $", waiters:{_waiters.Count}";
        return $"<{GetType().Name} [{extra}]>";
    }
}
