using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// A leaky-bucket rate limiter: up to <see cref="MaxRate"/> units may be acquired in a burst, after which
/// capacity comes back at <see cref="MaxRate"/> per <see cref="TimePeriod"/> seconds. Reads the loop's
/// clock, so it runs on virtual time too.
/// <para>aiolimiter: <c>aiolimiter.AsyncLimiter(max_rate, time_period=60)</c>.</para>
/// </summary>
/// <example><code>
/// var lim = new AsyncLimiter(maxRate: 10, timePeriod: 1.0);
/// using (await lim.AcquireAsync()) { ... }   // at most 10 entries a second, after a first burst of 10
/// </code></example>
/// <remarks>
/// <para>Difference from aiolimiter: waiting tasks are served strictly in arrival order. aiolimiter keeps
/// its waiters in a heap ordered by amount, so a small request overtakes a large one that waits; here a
/// large request holds the line until it fits, and a new request never overtakes a waiting one.</para>
/// <para>The releaser returned by <see cref="AcquireAsync"/> does nothing when disposed, as aiolimiter's
/// <c>__aexit__</c>: capacity drains with time, not on release.</para>
/// <para>Not thread-safe: use it from its loop's thread. It binds to the loop it is first used on.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class AsyncLimiter : IWaiterOwner
{
    /// <summary>Seconds by which a waiter may be granted early rather than re-arm a timer.</summary>
    private const double DeadlineTolerance = 1e-6;

    /// <summary>Tasks waiting for capacity, in arrival order; removed when granted.</summary>
    private readonly WaiterQueue _waiters = new();

    /// <summary>Capacity that drains per second: <see cref="MaxRate"/> / <see cref="TimePeriod"/>.</summary>
    private readonly double _ratePerSecond;

    /// <summary>Re-checks the first waiter when its capacity should have drained.</summary>
    private readonly Action _wakeNext;

    /// <summary>The loop whose clock the limiter reads.</summary>
    private LoopBinding _loop;

    /// <summary>How full the bucket is, as of <see cref="_lastCheck"/>.</summary>
    private double _level;

    /// <summary>Loop time of the last drain.</summary>
    private double _lastCheck;

    /// <summary>The timer that wakes the first waiter, if one is set.</summary>
    private TimerHandle? _waker;

    /// <summary>
    /// Creates a limiter allowing <paramref name="maxRate"/> units per <paramref name="timePeriod"/> seconds,
    /// with bursts of up to <paramref name="maxRate"/>.
    /// <para>aiolimiter: <c>AsyncLimiter(max_rate, time_period=60)</c>.</para>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is not a positive finite number (NaN, zero, negative or infinite).</exception>
    public AsyncLimiter(double maxRate, double timePeriod = 60)
    {
        ThrowIfNotPositiveFinite(maxRate, nameof(maxRate));
        ThrowIfNotPositiveFinite(timePeriod, nameof(timePeriod));
        MaxRate = maxRate;
        TimePeriod = timePeriod;
        _ratePerSecond = maxRate / timePeriod;
        _wakeNext = WakeNext;
    }

    /// <summary>
    /// Creates a limiter allowing <paramref name="maxRate"/> units per <paramref name="timePeriod"/>.
    /// <para>aiolimiter: <c>AsyncLimiter(max_rate, time_period)</c>.</para>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is not a positive finite number.</exception>
    public AsyncLimiter(double maxRate, TimeSpan timePeriod) : this(maxRate, timePeriod.TotalSeconds) { }

    /// <summary>
    /// The most units acquired in a burst, and acquired per <see cref="TimePeriod"/> once the burst is used.
    /// <para>aiolimiter: <c>AsyncLimiter.max_rate</c>.</para>
    /// </summary>
    public double MaxRate { get; }

    /// <summary>
    /// Seconds over which <see cref="MaxRate"/> units drain.
    /// <para>aiolimiter: <c>AsyncLimiter.time_period</c>.</para>
    /// </summary>
    public double TimePeriod { get; }

    /// <summary>
    /// True if <paramref name="amount"/> units could be acquired now without waiting for the bucket to drain.
    /// <para>aiolimiter: <c>AsyncLimiter.has_capacity(amount=1)</c>.</para>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is NaN, negative or infinite.</exception>
    /// <exception cref="InvalidOperationException">No loop is running, or the limiter is bound to another loop.</exception>
    public bool HasCapacity(double amount = 1)
    {
        ThrowIfBadAmount(amount);
        Leak(_loop.Get(this));
        return _level + amount <= MaxRate;
    }

    /// <summary>
    /// Acquires <paramref name="amount"/> units, waiting (behind earlier waiters) until the bucket has room.
    /// Completes without waiting when it has room and nobody waits. The result does nothing when disposed.
    /// <para>aiolimiter: <c>await limiter.acquire(amount=1)</c> / <c>async with limiter</c>.</para>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is NaN, negative or infinite.</exception>
    /// <exception cref="ArgumentException"><paramref name="amount"/> exceeds <see cref="MaxRate"/>: it could never fit.</exception>
    /// <exception cref="CancelledError">The task was cancelled while waiting; nothing was acquired.</exception>
    public LoopAwaitable<Releaser> AcquireAsync(double amount = 1)
    {
        ThrowIfBadAmount(amount);
        if (amount > MaxRate)
        {
            throw new ArgumentException(
                $"Can't acquire more than the maximum capacity: amount {PyRepr.Float(amount)} > maxRate {PyRepr.Float(MaxRate)}.", nameof(amount));
        }
        EventLoop loop = _loop.Get(this);
        if (TryAcquire(amount)) return new LoopAwaitable<Releaser>(default(Releaser));
        Waiter waiter = _waiters.Enqueue(loop, this, amount);
        WakeNext();
        return new LoopAwaitable<Releaser>(waiter, default);
    }

    /// <summary>
    /// Acquires <paramref name="amount"/> units if that needs no waiting (the bucket has room and nobody
    /// waits); returns false otherwise, without queueing. aiolimiter has no such method: it is
    /// <c>has_capacity()</c> followed by an <c>acquire()</c> that cannot block, in one step.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is NaN, negative or infinite.</exception>
    /// <exception cref="InvalidOperationException">No loop is running, or the limiter is bound to another loop.</exception>
    public bool TryAcquire(double amount = 1)
    {
        ThrowIfBadAmount(amount);
        if (_waiters.LiveCount > 0 || !HasCapacity(amount)) return false;
        _level += amount;
        return true;
    }

    /// <summary>
    /// Refuses an amount that would break the bucket: NaN makes every comparison false (no limit, for good),
    /// a negative one adds capacity, an infinite one could never fit. Zero is allowed: it acquires nothing.
    /// </summary>
    private static void ThrowIfBadAmount(double amount)
    {
        if (!(amount >= 0) || double.IsInfinity(amount))
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "amount must be a finite number, zero or more");
        }
    }

    private static void ThrowIfNotPositiveFinite(double value, string paramName)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be a positive finite number");
        }
    }

    /// <summary>Drains the bucket for the time elapsed since the last check.</summary>
    private void Leak(EventLoop loop)
    {
        double now = loop.Time();
        if (_level > 0) _level = Math.Max(_level - (now - _lastCheck) * _ratePerSecond, 0);
        _lastCheck = now;
    }

    /// <summary>
    /// Grants capacity to the waiters at the front while it fits, then sets a timer for when the next one
    /// will fit. Capacity is counted when granted, so a woken waiter's share cannot be taken by a newcomer.
    /// </summary>
    private void WakeNext()
    {
        _waker?.Cancel();
        _waker = null;
        EventLoop loop = _loop.Loop!;
        while (_waiters.First is { } first)
        {
            if (first.IsDone)
            {
                _waiters.Remove(first);
                continue;
            }
            Leak(loop);
            double needed = first.Amount - MaxRate + _level;
            double when = _lastCheck + needed / _ratePerSecond;
            // A deadline within a microsecond counts as reached: the clock's resolution could make a
            // timer for it fire at the same instant, again and again.
            if (needed > 0 && when - _lastCheck > DeadlineTolerance)
            {
                _waker = loop.CallAt(when, _wakeNext);
                return;
            }
            _level += first.Amount;
            _waiters.Wake(first);
            _waiters.Remove(first);
        }
    }

    void IWaiterOwner.OnResumed(Waiter waiter) { }

    void IWaiterOwner.OnAbandoned(Waiter waiter)
    {
        // Granted and cancelled before running: the capacity was not used, as in aiolimiter.
        if (waiter.IsWoken) _level = Math.Max(_level - waiter.Amount, 0);
        else _waiters.Remove(waiter);
        WakeNext();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"<AsyncLimiter(maxRate={PyRepr.Float(MaxRate)}, timePeriod={PyRepr.Float(TimePeriod)}) [level: {PyRepr.Fixed6(_level)}, waiters: {_waiters.Count}]>";
}
