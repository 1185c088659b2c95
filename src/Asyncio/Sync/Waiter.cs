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
/// An owner whose wake-ups can go stale before the woken task runs (a queue getter whose item another task
/// took first), so it checks each one when the task would resume: asyncio's <c>while self.empty():</c> loop
/// around <c>await getter</c>, without a coroutine.
/// </summary>
internal interface IWakeUpScreen
{
    /// <summary>True if the woken waiter should resume; false to make it wait again.</summary>
    bool StillWanted(Waiter waiter);

    /// <summary>Puts a waiter that waits again back in line (at the tail, as asyncio appends a new future).</summary>
    void Requeue(Waiter waiter);
}

/// <summary>An owner that produces the awaited value when the waiting task resumes (a queue's item).</summary>
/// <typeparam name="T">The value type.</typeparam>
internal interface IWaiterResult<T>
{
    /// <summary>The value for <paramref name="waiter"/>, called after <see cref="IWaiterOwner.OnResumed"/>.</summary>
    T TakeResult(Waiter waiter);
}

/// <summary>
/// A loop future that waits in a <see cref="WaiterQueue"/>; it is also the queue's list node, so leaving the
/// queue from anywhere in it is O(1), and waiting costs at most one allocation: none in a steady flow, where the
/// queue hands out again the waiter of the last wait that ended (<see cref="Recycle"/>).
/// </summary>
/// <remarks>
/// <para>A waiter is woken by completing it (result true); it is cancelled when the task awaiting it is
/// cancelled. Whether it leaves the queue when woken or when its task resumes is the primitive's choice,
/// as in asyncio (a queue pops its getters when waking them, a lock keeps its waiter until it runs).</para>
/// <para>Reuse is safe because nothing refers to a waiter once its task has resumed from it and its owner has
/// taken it out of line, except the awaitable the operation returned: that carries the
/// <see cref="Generation"/> it was made for, and a second await of it still fails as it always did.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
internal sealed class Waiter : Future<bool>, IFutureListener
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

    /// <summary>The queue that made this waiter and takes it back for reuse.</summary>
    private readonly WaiterQueue? _home;

    /// <summary>Counts the waits this waiter served; an awaitable made for an earlier one is stale.</summary>
    internal int Generation { get; private set; }

    /// <summary>Set by the first <see cref="Resume"/>: a primitive's awaitable can be awaited once.</summary>
    private bool _resumed;

    /// <summary>
    /// Set when an ordinary async method awaits this waiter (<see cref="AwaitedByForeignCode"/>): the task running
    /// that method may still name it as what it waits on after the wait is over, so it is never reused.
    /// </summary>
    private bool _neverReuse;

    /// <summary>
    /// With an <see cref="IWakeUpScreen"/> owner: the <see cref="Coroutine"/> or foreign continuation
    /// (<see cref="Action"/>) to resume once the owner confirms a wake-up.
    /// </summary>
    private object? _screened;

    /// <summary>The awaiting task asked to cancel after the wake-up: it must resume to receive the error.</summary>
    private bool _cancelledWhileWoken;

    internal Waiter(EventLoop loop, IWaiterOwner? owner, WaiterQueue? home) : base(loop)
    {
        Owner = owner;
        _home = home;
    }

    /// <summary>True when the waiter was woken (finished with a result), not cancelled.</summary>
    internal bool IsWoken => IsDone && !IsCancelled;

    /// <inheritdoc/>
    public override bool Cancel(string? message = null)
    {
        if (!base.Cancel(message))
        {
            // A task cancelling its wait after the wake-up gets here (and then marks itself to cancel).
            if (_screened is not null) _cancelledWhileWoken = true;
            return false;
        }
        Queue?.OnCancelled(this);
        return true;
    }

    /// <summary>
    /// Called when <paramref name="resume"/> (a coroutine registered by its task, or a foreign continuation)
    /// starts waiting: with an <see cref="IWakeUpScreen"/> owner, the waiter resumes it only for a wake-up
    /// that still holds.
    /// </summary>
    internal void ScreenWakeUps(object resume)
    {
        if (Owner is not IWakeUpScreen || IsDone) return;
        // Take over only from the task's own registration (none was made if the await failed outright).
        if (resume is AioTask coroutine && !RemoveListener(coroutine)) return;
        _screened = resume;
        AddListener(this);
    }

    void IFutureListener.OnFutureDone(Future future)
    {
        object resume = _screened!;
        if (IsWoken && !CancelPending(resume) && !((IWakeUpScreen)Owner!).StillWanted(this))
        {
            // Stale: wait again, as asyncio's getter loops on an empty queue.
            State = FutureState.Pending;
            _cancelledWhileWoken = false;
            ((IWakeUpScreen)Owner).Requeue(this);
            AddListener(this);
            return;
        }
        _screened = null;
        if (resume is AioTask coroutine) ((IFutureListener)coroutine).OnFutureDone(this);
        else ((Action)resume)();
    }

    /// <summary>True if the task must resume to have a cancellation delivered (it still counts a request).</summary>
    private bool CancelPending(object resume) =>
        _cancelledWhileWoken && resume is AioTask coroutine && coroutine.Owner.Cancelling() > 0;

    /// <summary>
    /// Runs in the resumed task (from the awaiter's <c>GetResult</c>): hands the outcome to the owner, then
    /// throws the cancellation if there is one.
    /// </summary>
    /// <param name="generation">The <see cref="Generation"/> the awaitable was made for.</param>
    /// <exception cref="InvalidOperationException">The awaitable was awaited a second time.</exception>
    internal void Resume(int generation)
    {
        if (_resumed || generation != Generation) throw new InvalidOperationException("cannot reuse an already awaited primitive operation");
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

    /// <summary>
    /// Called by the awaiter once its task has resumed with the wake-up and the owner has taken what it granted:
    /// the wait is over, and the waiter goes back to the queue that made it, for the next wait.
    /// </summary>
    internal void Recycle()
    {
        Debug.Assert(_resumed && IsWoken && _screened is null);
        Generation++;
        if (Queue is null && !_neverReuse) _home?.TakeBack(this);
    }

    /// <summary>
    /// An ordinary async method awaits this waiter inside a task step: the task may keep it as its waiter until its
    /// next step, and a cancellation then must not reach a later wait that reused it.
    /// </summary>
    internal void AwaitedByForeignCode() => _neverReuse = true;

    /// <summary>Makes a recycled waiter a pending one again, for <paramref name="amount"/>.</summary>
    internal void Reuse(double amount)
    {
        Debug.Assert(Queue is null && IsWoken);
        State = FutureState.Pending;
        _resumed = false;
        _cancelledWhileWoken = false;
        Amount = amount;
    }
}
