using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// What a primitive does when a task that waited on one of its <see cref="Waiter"/>s resumes: the code
/// asyncio runs right after <c>await fut</c> in <c>acquire()</c> or <c>wait()</c>, and in its
/// <c>except CancelledError</c> branch.
/// </summary>
internal interface IWaiterOwner
{
    /// <summary>The waiting task resumed normally: take what the wake-up granted.</summary>
    void OnResumed(Waiter waiter);

    /// <summary>
    /// The waiting task resumed with an exception (its wait was cancelled, or it was cancelled after being
    /// woken): give back what the wake-up granted and pass it on, so nothing is lost or stranded.
    /// </summary>
    void OnAbandoned(Waiter waiter);
}

/// <summary>
/// A loop future that waits in a <see cref="WaiterQueue"/>; it is also the queue's list node, so waiting
/// costs one allocation and leaving the queue from anywhere in it is O(1).
/// </summary>
/// <remarks>
/// A waiter is woken by completing it (result true); it is cancelled when the task awaiting it is
/// cancelled. Whether it leaves the queue when woken or when its task resumes is the primitive's choice,
/// as in asyncio (a queue pops its getters when waking them, a lock keeps its waiter until it runs).
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
internal sealed class Waiter : Future<bool>
{
    /// <summary>The queue this waiter is linked into, or null once removed.</summary>
    internal WaiterQueue? Queue;

    /// <summary>The previous waiter in <see cref="Queue"/>.</summary>
    internal Waiter? Prev;

    /// <summary>The next waiter in <see cref="Queue"/>.</summary>
    internal Waiter? Next;

    /// <summary>Told when the awaiting task resumes; null when a coroutine of the primitive awaits the waiter itself.</summary>
    internal readonly IWaiterOwner? Owner;

    /// <summary>How much the waiter asks for (a rate limiter's amount); unused by the other primitives.</summary>
    internal double Amount;

    /// <summary>Set by the first <see cref="Resume"/>: a primitive's awaitable can be awaited once.</summary>
    private bool _resumed;

    internal Waiter(EventLoop loop, IWaiterOwner? owner) : base(loop) => Owner = owner;

    /// <summary>True when the waiter was woken (finished with a result), not cancelled.</summary>
    internal bool IsWoken => IsDone && !IsCancelled;

    /// <inheritdoc/>
    public override bool Cancel(string? message = null)
    {
        if (!base.Cancel(message)) return false;
        Queue?.OnCancelled(this);
        return true;
    }

    /// <summary>
    /// Runs in the resumed task (from the awaiter's <c>GetResult</c>): hands the outcome to the owner, then
    /// throws the cancellation if there is one.
    /// </summary>
    /// <exception cref="InvalidOperationException">The awaitable was awaited a second time.</exception>
    internal void Resume()
    {
        if (_resumed) throw new InvalidOperationException("cannot reuse an already awaited primitive operation");
        _resumed = true;
        try
        {
            _loop.ThrowIfResumeInterrupted();
            ThrowIfFailed();
        }
        catch (Exception)
        {
            Owner!.OnAbandoned(this);
            throw;
        }
        Owner!.OnResumed(this);
    }
}
