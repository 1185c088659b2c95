using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// A mutual-exclusion lock for tasks on one loop. Not owned by a task: any task may release it.
/// Waiters acquire strictly in the order they called <see cref="AcquireAsync"/>; a newcomer never barges
/// ahead of a waiter that was woken but has not run yet.
/// <para>asyncio: <c>asyncio.Lock</c>.</para>
/// </summary>
/// <example><code>using (await lk.AcquireAsync()) { ... }</code></example>
/// <remarks>Not thread-safe: use it from its loop's thread. It binds to the loop it first waits on.</remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class AsyncLock : IWaiterOwner, IReleasable
{
    /// <summary>The tasks waiting, in arrival order; a woken one stays until it runs.</summary>
    private readonly WaiterQueue _waiters = new();

    /// <summary>The loop this lock waits on.</summary>
    private LoopBinding _loop;

    /// <summary>True while held.</summary>
    private bool _locked;

    /// <summary>
    /// True while the lock is held.
    /// <para>asyncio: <c>Lock.locked()</c>.</para>
    /// </summary>
    public bool IsLocked => _locked;

    /// <summary>
    /// Acquires the lock, waiting in line if it is held or others are already waiting. The result releases
    /// the lock when disposed. Completes without waiting (and without allocating) when the lock is free.
    /// <para>asyncio: <c>await lock.acquire()</c> / <c>async with lock</c>.</para>
    /// </summary>
    /// <exception cref="CancelledError">The task was cancelled while waiting (the lock is then not held).</exception>
    public LoopAwaitable<Releaser> AcquireAsync()
    {
        _loop.CheckThread(this);
        // asyncio's fast path: free, and nobody live in line (cancelled waiters do not count).
        if (!_locked && _waiters.LiveCount == 0)
        {
            _locked = true;
            return new LoopAwaitable<Releaser>(new Releaser(this));
        }
        Waiter waiter = _waiters.Enqueue(_loop.Get(this), this);
        return new LoopAwaitable<Releaser>(waiter, new Releaser(this));
    }

    /// <summary>
    /// Releases the lock and wakes the first waiter.
    /// <para>asyncio: <c>Lock.release()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The lock is not held.</exception>
    public void Release()
    {
        _loop.CheckThread(this);
        if (!_locked) throw new InvalidOperationException("Lock is not acquired.");
        _locked = false;
        _waiters.WakeFirst();
    }

    void IWaiterOwner.OnResumed(Waiter waiter)
    {
        _waiters.Remove(waiter);
        _locked = true;
    }

    void IWaiterOwner.OnAbandoned(Waiter waiter)
    {
        _waiters.Remove(waiter);
        // Woken and then cancelled before running: the lock was never taken, so the next in line gets it.
        if (!_locked) _waiters.WakeFirst();
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string extra = _locked ? "locked" : "unlocked";
        if (_waiters.Count > 0) extra += $", waiters:{_waiters.Count}";
        return $"<AsyncLock [{extra}]>";
    }
}
