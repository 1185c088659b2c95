using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// The deadline of one <see cref="Aio.Timeout(double?, Func{Coroutine})"/> block: when it passes, the task
/// running the block is cancelled, and that cancellation (and only that one) leaves the block as a
/// <see cref="TimeoutException"/>. Bodies that take the handle can read <see cref="When"/>,
/// <see cref="Expired"/> and move the deadline with <see cref="Reschedule"/>.
/// <para>asyncio: <c>asyncio.Timeout</c> (what <c>asyncio.timeout()</c> returns).</para>
/// </summary>
/// <remarks>
/// Like asyncio 3.12, the handle remembers the task's <see cref="AioTask.Cancelling"/> count on entry and turns a
/// <see cref="CancelledError"/> into a <see cref="TimeoutException"/> only when <see cref="AioTask.Uncancel"/>
/// brings the count back to it: a cancellation from outside, or one by an enclosing timeout with the same
/// deadline, passes through as <see cref="CancelledError"/>.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class TimeoutHandle
{
    private enum State : byte { Created, Entered, Expiring, Expired, Exited }

    private State _state;
    private double? _when;
    private AioTask? _task;
    private EventLoop? _loop;

    /// <summary>The task's cancellation count on entry.</summary>
    private int _cancelling;

    /// <summary>The pending expiry: a soon callback or a timer.</summary>
    private Handle? _expiry;

    /// <summary>The deadline is <see cref="_when"/> seconds after entry rather than an absolute time.</summary>
    private bool _relative;

    /// <summary>A handle for an absolute deadline, or (<paramref name="relative"/>) a delay counted from entry.</summary>
    internal TimeoutHandle(double? when, bool relative = false)
    {
        _when = when;
        _relative = relative;
    }

    /// <summary>
    /// The deadline in loop time (<see cref="EventLoop.Time"/>), or null for none.
    /// <para>asyncio: <c>Timeout.when()</c>.</para>
    /// </summary>
    public double? When => _when;

    /// <summary>
    /// True once the deadline passed and the task was cancelled for it.
    /// <para>asyncio: <c>Timeout.expired()</c>.</para>
    /// </summary>
    public bool Expired => _state is State.Expiring or State.Expired;

    /// <summary>
    /// Moves the deadline (loop time); null removes it; a time already past expires at the next iteration.
    /// <para>asyncio: <c>Timeout.reschedule(when)</c>.</para>
    /// </summary>
    /// <param name="when">The new deadline, or null.</param>
    /// <exception cref="ArgumentException"><paramref name="when"/> is NaN; the deadline is left as it was.</exception>
    /// <exception cref="InvalidOperationException">The block is not running (not entered, expiring, expired or finished).</exception>
    public void Reschedule(double? when)
    {
        EventLoop.ThrowIfNaN(when, nameof(when));
        switch (_state)
        {
            case State.Created: throw new InvalidOperationException("Timeout has not been entered");
            case State.Expiring: throw new InvalidOperationException("Cannot change state of expiring Timeout");
            case State.Expired: throw new InvalidOperationException("Cannot change state of expired Timeout");
            case State.Exited: throw new InvalidOperationException("Cannot change state of finished Timeout");
        }
        _when = when;
        _expiry?.Cancel();
        _expiry = null;
        if (when is not { } deadline) return;
        EventLoop loop = _loop!;
        // A past deadline fires at the next iteration, like asyncio's call_soon: a body that never awaits finishes.
        _expiry = deadline <= loop.Time()
            ? loop.CallSoon(static h => h.OnTimeout(), this)
            : loop.CallAt(deadline, static h => h.OnTimeout(), this);
    }

    /// <summary>Enters the block in the current task (asyncio: <c>__aenter__</c>).</summary>
    internal void Enter()
    {
        if (_state != State.Created) throw new InvalidOperationException("Timeout has already been entered");
        EventLoop loop = Aio.GetRunningLoop();
        _task = loop.CurrentTask ?? throw new InvalidOperationException("Timeout should be used inside a task");
        _loop = loop;
        _state = State.Entered;
        _cancelling = _task.Cancelling();
        // A coroutine is lazy: a delay counts from the moment the block starts, not from the call that made it.
        if (_relative && _when is { } delay) _when = loop.Time() + delay;
        _relative = false;
        Reschedule(_when);
    }

    /// <summary>
    /// Leaves the block (asyncio: <c>__aexit__</c>): returns the exception to throw instead of
    /// <paramref name="error"/> (a <see cref="TimeoutException"/>), or null to let <paramref name="error"/> go on.
    /// </summary>
    internal Exception? Exit(Exception? error)
    {
        Debug.Assert(_state is State.Entered or State.Expiring);
        _expiry?.Cancel();
        _expiry = null;
        if (_state == State.Expiring)
        {
            _state = State.Expired;
            // Asked before Uncancel, which may replace the task's token that an OperationCanceledException names.
            bool cancelled = error is not null && _task!.AsCancellation(error) is not null;
            if (_task!.Uncancel() <= _cancelling && cancelled)
            {
                return new TimeoutException("The operation has timed out.", error);
            }
        }
        else
        {
            _state = State.Exited;
        }
        return null;
    }

    private void OnTimeout()
    {
        Debug.Assert(_state == State.Entered);
        _task!.Cancel();
        _state = State.Expiring;
        _expiry = null;
    }

    /// <inheritdoc/>
    public override string ToString() => _state switch
    {
        State.Created => "<Timeout [created]>",
        State.Entered => _when is { } w ? $"<Timeout [active] when={PyRepr.Float(Math.Round(w, 3))}>" : "<Timeout [active] when=None>",
        State.Exited => "<Timeout [finished]>",
        _ => "<Timeout [expired]>",
    };
}
