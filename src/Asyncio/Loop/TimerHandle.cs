using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// A callback scheduled for a loop time with <see cref="EventLoop.CallLater(double, Action)"/> or
/// <see cref="EventLoop.CallAt(double, Action)"/>.
/// <para>asyncio: <c>asyncio.TimerHandle</c>.</para>
/// </summary>
/// <remarks>Belongs to its loop's thread, like every loop object.</remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class TimerHandle : ICancellableCallback
{
    /// <summary>The loop whose heap holds this timer.</summary>
    private readonly EventLoop _loop;

    /// <summary>The static invoker.</summary>
    internal readonly Action<object?, object?> Invoke;

    /// <summary>First argument of <see cref="Invoke"/>.</summary>
    internal readonly object? A;

    /// <summary>Second argument of <see cref="Invoke"/>.</summary>
    internal readonly object? B;

    /// <summary>The context captured when the timer was scheduled.</summary>
    internal readonly ExecutionContext? Context;

    /// <summary>Tie-breaker among equal deadlines, set by the heap.</summary>
    internal long Sequence;

    /// <summary>True while the timer sits in the loop's heap (cancelled or not).</summary>
    internal bool InHeap;

    /// <summary>Set by <see cref="Cancel"/>.</summary>
    private bool _cancelled;

    internal TimerHandle(EventLoop loop, double when, Action<object?, object?> invoke, object? a, object? b, ExecutionContext? context)
    {
        _loop = loop;
        When = when;
        Invoke = invoke;
        A = a;
        B = b;
        Context = context;
    }

    /// <summary>
    /// The absolute loop time (<see cref="EventLoop.Time"/>) at which the callback is due.
    /// <para>asyncio: <c>TimerHandle.when()</c>.</para>
    /// </summary>
    public double When { get; }

    /// <summary>
    /// True once <see cref="Cancel"/> was called.
    /// <para>asyncio: <c>TimerHandle.cancelled()</c>.</para>
    /// </summary>
    public bool IsCancelled => _cancelled;

    /// <summary>
    /// Keeps the callback from running if it has not run yet; idempotent.
    /// <para>asyncio: <c>TimerHandle.cancel()</c>.</para>
    /// </summary>
    public void Cancel()
    {
        if (_cancelled) return;
        _cancelled = true;
        if (InHeap) _loop.OnTimerCancelled();
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"<TimerHandle {(_cancelled ? "cancelled " : "")}when={PyRepr.Float(When)}>";
}
