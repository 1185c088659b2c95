using System.Diagnostics;

namespace Asyncio;

/// <summary>Something scheduled on a loop that can be called off: a timer or a cross-thread callback.</summary>
internal interface ICancellableCallback
{
    /// <summary>Calls the callback off; idempotent.</summary>
    void Cancel();

    /// <summary>True once <see cref="Cancel"/> was called.</summary>
    bool IsCancelled { get; }
}

/// <summary>
/// A callback scheduled with <see cref="EventLoop.CallSoon(Action)"/>, <see cref="EventLoop.CallSoonThreadsafe(Action)"/>
/// or (converted from <see cref="TimerHandle"/>) a timer; <see cref="Cancel"/> keeps it from running.
/// <para>asyncio: <c>asyncio.Handle</c>.</para>
/// </summary>
/// <remarks>
/// A value type, so that a <c>CallSoon</c> whose handle is discarded allocates nothing: the handle of a
/// queued callback is only the callback's position in the ready queue and the <see cref="ReadyHandleBlock"/>
/// that remembers cancellations for its block of positions. The default value refers to nothing; cancelling
/// it does nothing.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public readonly struct Handle : IEquatable<Handle>
{
    /// <summary>The <see cref="ReadyHandleBlock"/> (for a queued callback) or the <see cref="ICancellableCallback"/> itself.</summary>
    private readonly object? _target;

    /// <summary>The callback's sequence number in the loop's ready queue, when the target is a handle block.</summary>
    private readonly long _id;

    internal Handle(ReadyHandleBlock block, long id)
    {
        _target = block;
        _id = id;
    }

    internal Handle(ICancellableCallback callback)
    {
        _target = callback;
        _id = 0;
    }

    /// <summary>
    /// Keeps the callback from running if it has not run yet; does nothing otherwise.
    /// <para>asyncio: <c>Handle.cancel()</c>.</para>
    /// </summary>
    public void Cancel()
    {
        switch (_target)
        {
            case ReadyHandleBlock block: block.Cancel(_id); break;
            case ICancellableCallback callback: callback.Cancel(); break;
        }
    }

    /// <summary>
    /// True once <see cref="Cancel"/> was called (even after the callback ran, as in asyncio).
    /// <para>asyncio: <c>Handle.cancelled()</c>.</para>
    /// </summary>
    public bool IsCancelled => _target switch
    {
        ReadyHandleBlock block => block.IsCancelled(_id),
        ICancellableCallback callback => callback.IsCancelled,
        _ => false,
    };

    /// <summary>The timer behind this handle, when it was made from a <see cref="TimerHandle"/>.</summary>
    public TimerHandle? Timer => _target as TimerHandle;

    /// <summary>A handle for a timer, so handles of both kinds can be kept together.</summary>
    /// <param name="timer">The timer.</param>
    public static implicit operator Handle(TimerHandle timer) => new(timer);

    /// <inheritdoc/>
    public bool Equals(Handle other) => ReferenceEquals(_target, other._target) && _id == other._id;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Handle other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_target, _id);

    /// <summary>Compares two handles by what they refer to.</summary>
    public static bool operator ==(Handle left, Handle right) => left.Equals(right);

    /// <summary>Compares two handles by what they refer to.</summary>
    public static bool operator !=(Handle left, Handle right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => _target switch
    {
        ReadyHandleBlock => IsCancelled ? $"<Handle cancelled #{_id}>" : $"<Handle #{_id}>",
        null => "<Handle none>",
        _ => _target.ToString() ?? "<Handle>",
    };
}

/// <summary>
/// A callback posted from another thread with <c>CallSoonThreadsafe</c>; the cancel flag is read on the
/// loop thread and may be written from any thread, hence volatile.
/// </summary>
internal sealed class ThreadsafeCallback : ICancellableCallback
{
    /// <summary>The static invoker.</summary>
    public readonly Action<object?, object?> Invoke;

    /// <summary>First argument of <see cref="Invoke"/>.</summary>
    public readonly object? A;

    /// <summary>Second argument of <see cref="Invoke"/>.</summary>
    public readonly object? B;

    /// <summary>Set by <see cref="Cancel"/>, from any thread.</summary>
    private volatile bool _cancelled;

    public ThreadsafeCallback(Action<object?, object?> invoke, object? a, object? b)
    {
        Invoke = invoke;
        A = a;
        B = b;
    }

    public bool IsCancelled => _cancelled;

    public void Cancel() => _cancelled = true;

    /// <summary>The ready-queue invoker: runs the callback unless it was cancelled meanwhile.</summary>
    public static readonly Action<object?, object?> RunUnlessCancelled = static (self, _) =>
    {
        var cb = (ThreadsafeCallback)self!;
        if (!cb._cancelled) cb.Invoke(cb.A, cb.B);
    };

    public override string ToString() => _cancelled ? "<Handle cancelled threadsafe>" : "<Handle threadsafe>";
}
