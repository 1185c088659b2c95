using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// A clock that moves only when told: the loop made by <c>Aio.NewEventLoop(virtualTime: true)</c> advances
/// it to its next timer whenever it has nothing else to do, so an hour of sleeps runs in microseconds,
/// deterministically. Timers made with <see cref="CreateTimer"/> fire when the clock passes them.
/// </summary>
/// <remarks>
/// Time starts at zero. <see cref="Advance"/> may be called from any thread; timers fire on the thread
/// that advances the clock.
/// </remarks>
[DebuggerDisplay("Now = {Seconds} s")]
public sealed class VirtualTimeProvider : TimeProvider
{
    /// <summary>Ticks per second: nanoseconds.</summary>
    private const long Frequency = 1_000_000_000;

    /// <summary>The wall-clock time at virtual zero, for <see cref="GetUtcNow"/>.</summary>
    private readonly DateTimeOffset _epoch;

    /// <summary>Guards <see cref="_now"/> and <see cref="_timers"/>.</summary>
    private readonly object _lock = new();

    /// <summary>Timers waiting to fire.</summary>
    private readonly List<VirtualTimer> _timers = new();

    /// <summary>Nanoseconds since virtual zero.</summary>
    private long _now;

    /// <summary>Creates a clock at zero whose wall-clock time starts at <paramref name="epoch"/> (now when null).</summary>
    /// <param name="epoch">What <see cref="GetUtcNow"/> reports at virtual zero.</param>
    public VirtualTimeProvider(DateTimeOffset? epoch = null) => _epoch = epoch ?? DateTimeOffset.UtcNow;

    /// <summary>The current virtual time in seconds.</summary>
    public double Seconds => Volatile.Read(ref _now) / (double)Frequency;

    /// <inheritdoc/>
    public override long TimestampFrequency => Frequency;

    /// <inheritdoc/>
    public override long GetTimestamp() => Volatile.Read(ref _now);

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => _epoch + TimeSpan.FromTicks(Volatile.Read(ref _now) / 100);

    /// <summary>Moves the clock forward and fires the timers it passes, in deadline order.</summary>
    /// <param name="delta">How far; negative values are refused.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="delta"/> is negative, or would take the clock past its range (nanoseconds in a
    /// <see cref="long"/>: about 292 years).
    /// </exception>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        if (delta.Ticks > long.MaxValue / 100 || !TryAdvanceTicks(delta.Ticks * 100))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "The virtual clock cannot go past about 292 years.");
        }
    }

    /// <summary>
    /// Moves the clock forward by <paramref name="seconds"/>, rounded up to the next nanosecond; false, without
    /// moving, when that is past the clock's range: a timer that far away never becomes due.
    /// </summary>
    internal bool TryAdvanceSeconds(double seconds)
    {
        double ticks = Math.Ceiling(seconds * Frequency);
        return ticks < long.MaxValue && TryAdvanceTicks((long)ticks);
    }

    private bool TryAdvanceTicks(long ticks)
    {
        long target;
        lock (_lock)
        {
            if (ticks > long.MaxValue - _now) return false;
            target = _now + ticks;
        }
        while (true)
        {
            VirtualTimer? due = null;
            lock (_lock)
            {
                foreach (VirtualTimer timer in _timers)
                {
                    if (timer.Due <= target && (due is null || timer.Due < due.Due)) due = timer;
                }
                if (due is null)
                {
                    _now = target;
                    return true;
                }
                _now = Math.Max(_now, due.Due);
                due.Reschedule();
            }
            due.Fire();
        }
    }

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>A timer on the virtual clock.</summary>
    private sealed class VirtualTimer : ITimer
    {
        private readonly VirtualTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;
        private long _period;

        /// <summary>When it fires next, in clock ticks.</summary>
        public long Due;

        public VirtualTimer(VirtualTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_owner._lock)
            {
                _owner._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan) return true;
                // A due time past the clock's range (about 292 years) is never reached, like an infinite one.
                long dueTicks = Math.Max(0, ToClockTicks(dueTime));
                if (dueTicks > long.MaxValue - _owner._now) return true;
                Due = _owner._now + dueTicks;
                _period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? 0 : ToClockTicks(period);
                _owner._timers.Add(this);
            }
            return true;
        }

        /// <summary>Called under the lock when it fires: re-arms a periodic timer, removes a one-shot.</summary>
        public void Reschedule()
        {
            if (_period > 0 && Due <= long.MaxValue - _period) Due += _period;
            else _owner._timers.Remove(this);
        }

        /// <summary>A <see cref="TimeSpan"/> in clock ticks (nanoseconds), saturating at <see cref="long.MaxValue"/>.</summary>
        private static long ToClockTicks(TimeSpan span) => span.Ticks > long.MaxValue / 100 ? long.MaxValue : span.Ticks * 100;

        public void Fire() => _callback(_state);

        public void Dispose()
        {
            lock (_owner._lock) _owner._timers.Remove(this);
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
