using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// A condition variable: tasks holding its lock wait to be notified by another task holding it.
/// <para>asyncio: <c>asyncio.Condition</c>.</para>
/// </summary>
/// <example><code>using (await cv.AcquireAsync()) { await cv.WaitForAsync(() => ready); }</code></example>
/// <remarks>
/// <see cref="WaitAsync"/> always holds the lock again when it returns or throws, even when cancelled
/// (it re-acquires first, then throws), and a notification meant for a waiter that is cancelled before it
/// resumes goes to another waiter (Python 3.13). Not thread-safe; binds to the loop it first waits on.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class AsyncCondition
{
    /// <summary>The lock the waiters hold; shared when given to the constructor.</summary>
    private readonly AsyncLock _lock;

    /// <summary>The waiting tasks, in arrival order; each leaves when it runs.</summary>
    private readonly WaiterQueue _waiters = new();

    /// <summary>The loop this condition waits on.</summary>
    private LoopBinding _loop;

    /// <summary>
    /// Creates a condition over <paramref name="lock"/>, or over a new lock of its own.
    /// <para>asyncio: <c>asyncio.Condition(lock=None)</c>.</para>
    /// </summary>
    /// <param name="lock">The lock to share with other conditions or code; null for a new one.</param>
    public AsyncCondition(AsyncLock? @lock = null) => _lock = @lock ?? new AsyncLock();

    /// <summary>
    /// True while the underlying lock is held.
    /// <para>asyncio: <c>Condition.locked()</c>.</para>
    /// </summary>
    public bool IsLocked => _lock.IsLocked;

    /// <summary>
    /// Acquires the underlying lock; the result releases it when disposed.
    /// <para>asyncio: <c>await cond.acquire()</c> / <c>async with cond</c>.</para>
    /// </summary>
    public LoopAwaitable<Releaser> AcquireAsync() => _lock.AcquireAsync();

    /// <summary>
    /// Releases the underlying lock.
    /// <para>asyncio: <c>Condition.release()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The lock is not held.</exception>
    public void Release() => _lock.Release();

    /// <summary>
    /// Releases the lock, waits until notified, re-acquires the lock and returns true. If cancelled, it
    /// still re-acquires the lock before the <see cref="CancelledError"/> propagates. May return
    /// spuriously: check the state again, or use <see cref="WaitForAsync(Func{bool})"/>.
    /// <para>asyncio: <c>await cond.wait()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The lock is not held.</exception>
    public async Coroutine<bool> WaitAsync()
    {
        if (!IsLocked) throw new InvalidOperationException("cannot wait on un-acquired lock");
        EventLoop loop = _loop.Get(this);
        Release();
        try
        {
            try
            {
                Waiter waiter = _waiters.Enqueue(loop);
                try
                {
                    await waiter;
                    return true;
                }
                finally
                {
                    _waiters.Remove(waiter);
                }
            }
            finally
            {
                // The lock comes back whatever happened; cancellations meanwhile are kept for later.
                CancelledError? cancelled = null;
                while (true)
                {
                    try
                    {
                        await _lock.AcquireAsync();
                        break;
                    }
                    catch (CancelledError error)
                    {
                        cancelled = error;
                    }
                }
                if (cancelled is not null) throw cancelled;
            }
        }
        catch (Exception)
        {
            // A notification this waiter may have consumed passes to another one (Python 3.13).
            _waiters.WakePending(1);
            throw;
        }
    }

    /// <summary>
    /// Waits until <paramref name="predicate"/> returns true, checking it first and after each wake-up.
    /// <para>asyncio: <c>await cond.wait_for(predicate)</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The lock is not held.</exception>
    public async Coroutine<bool> WaitForAsync(Func<bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        while (!predicate()) await WaitAsync();
        return true;
    }

    /// <summary>
    /// Waits until <paramref name="predicate"/> returns non-null and returns that value (Python's "truthy"
    /// result of <c>wait_for</c>).
    /// <para>asyncio: <c>await cond.wait_for(predicate)</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The lock is not held.</exception>
    public async Coroutine<T> WaitForAsync<T>(Func<T?> predicate) where T : class
    {
        ArgumentNullException.ThrowIfNull(predicate);
        T? result = predicate();
        while (result is null)
        {
            await WaitAsync();
            result = predicate();
        }
        return result;
    }

    /// <summary>
    /// Wakes up to <paramref name="n"/> waiting tasks, oldest first. They return from their wait only once
    /// they re-acquire the lock, which the caller still holds.
    /// <para>asyncio: <c>Condition.notify(n=1)</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The lock is not held.</exception>
    public void Notify(int n = 1)
    {
        _loop.CheckThread(this);
        if (!IsLocked) throw new InvalidOperationException("cannot notify on un-acquired lock");
        _waiters.WakePending(n);
    }

    /// <summary>
    /// Wakes every waiting task.
    /// <para>asyncio: <c>Condition.notify_all()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The lock is not held.</exception>
    public void NotifyAll() => Notify(int.MaxValue);

    /// <inheritdoc/>
    public override string ToString()
    {
        string extra = IsLocked ? "locked" : "unlocked";
        if (_waiters.Count > 0) extra += $", waiters:{_waiters.Count}";
        return $"<AsyncCondition [{extra}]>";
    }
}
