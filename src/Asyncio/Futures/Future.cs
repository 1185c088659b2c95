using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Asyncio;

/// <summary>The three states of a future.</summary>
internal enum FutureState : byte
{
    /// <summary>Not done yet.</summary>
    Pending,

    /// <summary>Done with a result or an exception.</summary>
    Finished,

    /// <summary>Done by cancellation.</summary>
    Cancelled,
}

/// <summary>
/// Something that is told when a future completes. Tasks waking up, gather and user callbacks all
/// implement it, so a future keeps one reference per callback and no closure.
/// </summary>
internal interface IFutureListener
{
    /// <summary>Runs on the loop, in a later iteration than the completion (never inline).</summary>
    void OnFutureDone(Future future);
}

/// <summary>
/// A listener that waits for many futures and whose whole reaction to some of their completions is to count them
/// (a gather or a task group told of a child that succeeded while another is still to complete). It counts those
/// when they happen instead of in a later iteration: nothing it does then can be seen, and each saves a trip through
/// the ready queue. Every other completion, the last child's included, is scheduled as for any listener.
/// </summary>
internal interface ICountingListener : IFutureListener
{
    /// <summary>
    /// Counts <paramref name="future"/>'s completion and returns true when counting is all
    /// <see cref="IFutureListener.OnFutureDone"/> would have done; returns false, changing nothing, otherwise.
    /// </summary>
    bool CountedInline(Future future);
}

/// <summary>
/// The eventual outcome of an operation: a result, an exception, or cancellation. Awaitable any number
/// of times; done callbacks run on the loop, always scheduled with <c>CallSoon</c>, never inline.
/// <para>asyncio: <c>asyncio.Future</c>.</para>
/// </summary>
/// <remarks>
/// Not thread-safe: a future belongs to its loop's thread (in debug mode, touching it from another
/// thread throws). Use <see cref="EventLoop.CallSoonThreadsafe(Action)"/> or
/// <see cref="Aio.WrapFuture{T}(Task{T}, EventLoop?)"/> to cross threads.
/// This base type has no typed result; <see cref="Future{T}"/> and <see cref="AioTask{T}"/> add it.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public abstract class Future
{
    /// <summary>
    /// The loop this future belongs to. Set when the future is made, or, for a coroutine's frame (an
    /// <see cref="AioTask"/> that is not a task yet), when it becomes a task; null for a frame awaited inline.
    /// </summary>
    internal EventLoop _loop;

    /// <summary>
    /// Before completion: null, one <see cref="IFutureListener"/>, or a <see cref="ListenerList"/>.
    /// After completion it holds the <see cref="UnretrievedExceptionReport"/> while the exception is unobserved.
    /// </summary>
    private protected object? _callbacks;

    /// <summary>
    /// The exception when finished with one; the cancel message (string) or the <see cref="CancelledError"/>
    /// to deliver when cancelled; for a pending task, the cancel message of a request not yet delivered.
    /// </summary>
    private protected object? _outcome;

    // The two ints below are all the small state of a future and a task. A class's own fields start at an 8-byte
    // boundary, so state kept here fills what would otherwise be padding, where in AioTask it would add 8 bytes to
    // every task: packed this way a task is 64 bytes (see "Tasks and coroutines" in docs/architecture.md).

    /// <summary>
    /// Bits 0-1: the <see cref="FutureState"/>. Task only: bit 2, a cancellation to deliver when the task next
    /// resumes or suspends (asyncio: <c>_must_cancel</c>); bits 3-6, the coroutine frame's state (see
    /// <see cref="AioTask"/>); bits 7-31, the task's position in the loop's list of pending tasks, plus one
    /// (zero: not in the list).
    /// </summary>
    private protected int _bits;

    /// <summary>Task only: the task's number in the process-wide counter behind the names <c>Task-N</c>.</summary>
    private protected int _taskNumber;

    private const int StateMask = 3;
    private const int MustCancelBit = 4;
    private const int IndexShift = 7;

    /// <summary>The bits below <see cref="IndexShift"/>: everything but the registry index.</summary>
    private const int FlagsMask = (1 << IndexShift) - 1;

    /// <summary>The largest number of pending tasks a loop can hold (what <see cref="RegistryIndex"/> can count).</summary>
    internal const int MaxRegistryIndex = (int.MaxValue >> IndexShift) - 1;

    /// <summary>Pending, finished or cancelled.</summary>
    private protected FutureState State
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (FutureState)(_bits & StateMask);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => _bits = (_bits & ~StateMask) | (int)value;
    }

    /// <summary>Task only: a cancellation to deliver when the task next resumes or suspends (asyncio: <c>_must_cancel</c>).</summary>
    private protected bool MustCancel
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (_bits & MustCancelBit) != 0;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => _bits = value ? _bits | MustCancelBit : _bits & ~MustCancelBit;
    }

    /// <summary>Task only: position in the loop's list of pending tasks; -1 when not in it.</summary>
    internal int RegistryIndex
    {
        get => (int)((uint)_bits >> IndexShift) - 1;
        set
        {
            Debug.Assert(value >= -1 && value <= MaxRegistryIndex);
            _bits = (_bits & FlagsMask) | ((value + 1) << IndexShift);
        }
    }

    /// <summary>Creates a pending future bound to <paramref name="loop"/>.</summary>
    private protected Future(EventLoop loop)
    {
        _loop = loop;
    }

    /// <summary>A coroutine frame's future part: bound to a loop only if the frame becomes a task.</summary>
    private protected Future()
    {
        _loop = null!;
    }

    /// <summary>
    /// The loop this future is bound to.
    /// <para>asyncio: <c>Future.get_loop()</c>.</para>
    /// </summary>
    public EventLoop Loop => _loop;

    /// <summary>
    /// True once the future has a result, an exception, or was cancelled.
    /// <para>asyncio: <c>Future.done()</c>.</para>
    /// </summary>
    public bool IsDone => State != FutureState.Pending;

    /// <summary>Done with a result (not an exception, not cancelled).</summary>
    internal bool HasResult => State == FutureState.Finished && _outcome is not System.Exception;

    /// <summary>
    /// True if the future was cancelled.
    /// <para>asyncio: <c>Future.cancelled()</c>.</para>
    /// </summary>
    public bool IsCancelled => State == FutureState.Cancelled;

    /// <summary>The class name asyncio prints in reports: <c>Future</c> or <c>Task</c>.</summary>
    private protected virtual string KindName => "Future";

    /// <summary>
    /// Cancels the future and schedules its callbacks. Returns false if it was already done (and, as
    /// in asyncio, still marks its exception as observed).
    /// <para>asyncio: <c>Future.cancel(msg=None)</c>.</para>
    /// </summary>
    /// <param name="message">Carried by the <see cref="CancelledError"/> that awaiters get.</param>
    /// <returns>True if this call cancelled the future.</returns>
    public virtual bool Cancel(string? message = null)
    {
        _loop.CheckThread();
        MarkExceptionObserved();
        return TryCancelCore(message);
    }

    /// <summary>
    /// The exception the future finished with, or null if it finished with a result.
    /// <para>asyncio: <c>Future.exception()</c>.</para>
    /// </summary>
    /// <exception cref="CancelledError">The future was cancelled.</exception>
    /// <exception cref="InvalidStateError">The future is not done yet.</exception>
    public Exception? Exception()
    {
        switch (State)
        {
            case FutureState.Pending:
                throw new InvalidStateError("Exception is not set.");
            case FutureState.Cancelled:
                throw TakeCancelledError();
            default:
                MarkExceptionObserved();
                return _outcome as Exception;
        }
    }

    /// <summary>
    /// Adds a callback run with this future once it is done, in registration order, always scheduled
    /// with <c>CallSoon</c> (also when the future is already done). It runs in the
    /// <see cref="ExecutionContext"/> current when it was added.
    /// <para>asyncio: <c>Future.add_done_callback(fn)</c>.</para>
    /// </summary>
    /// <param name="callback">Called with this future.</param>
    public void AddDoneCallback(Action<Future> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _loop.CheckThread();
        AddListener(new DoneCallback(callback, ExecutionContext.Capture()));
    }

    /// <summary>
    /// Removes every registration of <paramref name="callback"/> that has not been scheduled yet.
    /// <para>asyncio: <c>Future.remove_done_callback(fn)</c>.</para>
    /// </summary>
    /// <param name="callback">The delegate given to <see cref="AddDoneCallback"/> (compared with <c>Equals</c>).</param>
    /// <returns>How many registrations were removed.</returns>
    public int RemoveDoneCallback(Action<Future> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        _loop.CheckThread();
        return RemoveListeners(l => l is DoneCallback d && d.Callback.Equals(callback));
    }

    /// <summary>Awaits the future: suspends until done, then throws its exception if it has one.</summary>
    public FutureAwaiter GetAwaiter() => new(this);

    /// <summary>Registers an internal listener; scheduled at once if the future is already done.</summary>
    /// <summary>
    /// Resumes a foreign async method (an <c>async Task</c> awaiting this future) on the loop when the future is
    /// done. Awaited inside a task's step, the future becomes what the task waits on, so that cancelling the task
    /// cancels it and the <see cref="CancelledError"/> travels out through the foreign method, as it would
    /// through a coroutine.
    /// </summary>
    internal void AddForeignContinuation(Action continuation)
    {
        AddListener(new ContinuationListener(continuation));
        if (_loop.CurrentTask is { } task) task.WaitsInForeignMethod(this);
    }

    internal void AddListener(IFutureListener listener)
    {
        if (State != FutureState.Pending)
        {
            _loop.ScheduleListener(listener, this);
            return;
        }
        switch (_callbacks)
        {
            case null: _callbacks = listener; break;
            case ListenerList list: list.Add(listener); break;
            default: _callbacks = new ListenerList((IFutureListener)_callbacks, listener); break;
        }
    }

    /// <summary>Removes the listeners that match; returns how many.</summary>
    internal int RemoveListeners(Predicate<IFutureListener> match)
    {
        if (State != FutureState.Pending) return 0;
        switch (_callbacks)
        {
            case ListenerList list:
                return list.RemoveAll(match);
            case IFutureListener single when match(single):
                _callbacks = null;
                return 1;
            default:
                return 0;
        }
    }

    /// <summary>
    /// The loop closed with this future pending: tells the listeners that stand for a waiter outside the loop
    /// (see <see cref="IDroppedAtClose"/>), which are then removed.
    /// </summary>
    internal void NotifyDroppedAtClose()
    {
        var dropped = new List<IDroppedAtClose>();
        RemoveListeners(listener =>
        {
            if (listener is not IDroppedAtClose d) return false;
            dropped.Add(d);
            return true;
        });
        foreach (IDroppedAtClose d in dropped) d.OnDroppedAtClose();
    }

    /// <summary>
    /// Removes one registration of <paramref name="listener"/> (by identity), without allocating: waiting primitives
    /// and composition call this on every wait.
    /// </summary>
    /// <returns>True if a registration was removed.</returns>
    internal bool RemoveListener(IFutureListener listener)
    {
        if (State != FutureState.Pending) return false;
        if (ReferenceEquals(_callbacks, listener))
        {
            _callbacks = null;
            return true;
        }
        return _callbacks is ListenerList list && list.Remove(listener);
    }

    /// <summary>Finishes with the result the subclass has just stored; false if already done.</summary>
    private protected bool TrySetResultCore()
    {
        if (State != FutureState.Pending) return false;
        State = FutureState.Finished;
        _outcome = null;
        ScheduleCallbacks();
        return true;
    }

    /// <summary>Finishes with an exception; false if already done.</summary>
    internal bool TrySetExceptionCore(Exception exception)
    {
        if (State != FutureState.Pending) return false;
        State = FutureState.Finished;
        _outcome = exception;
        ScheduleCallbacks();
        // After ScheduleCallbacks the callback slot is free: it keeps the report alive as long as this future.
        _callbacks = new UnretrievedExceptionReport(this);
        return true;
    }

    /// <summary>Cancels; <paramref name="messageOrError"/> is the message or the CancelledError to deliver first.</summary>
    internal bool TryCancelCore(object? messageOrError)
    {
        if (State != FutureState.Pending) return false;
        State = FutureState.Cancelled;
        _outcome = messageOrError;
        ScheduleCallbacks();
        return true;
    }

    /// <summary>
    /// The error to throw for a cancelled future. Futures give a fresh error with the message on every
    /// retrieval; tasks override this to give their saved error once (asyncio's <c>_make_cancelled_error</c>).
    /// </summary>
    private protected virtual CancelledError TakeCancelledError() => _outcome switch
    {
        CancelledError e => e,
        string message => new CancelledError(message),
        _ => new CancelledError(),
    };

    /// <summary>Throws the future's exception or cancellation; returns only when it finished with a result.</summary>
    internal void ThrowIfFailed()
    {
        switch (State)
        {
            case FutureState.Pending:
                // A task that awaited a future of another loop resumes with its error pending on its own
                // loop, which the awaiter (reading this future's loop) did not see.
                EventLoop.RunningOrNull?.ThrowIfResumeInterrupted();
                throw new InvalidStateError("Result is not ready.");
            case FutureState.Cancelled:
                throw TakeCancelledError();
        }
        if (_outcome is Exception exception)
        {
            MarkExceptionObserved();
            ExceptionDispatchInfo.Throw(exception);
        }
    }

    /// <summary>Silences the "exception was never retrieved" report.</summary>
    private protected void MarkExceptionObserved()
    {
        if (State != FutureState.Pending && _callbacks is UnretrievedExceptionReport report)
        {
            GC.SuppressFinalize(report);
            _callbacks = null;
        }
    }

    private void ScheduleCallbacks()
    {
        object? callbacks = _callbacks;
        _callbacks = null;
        switch (callbacks)
        {
            case null: return;
            case ListenerList list:
                foreach (IFutureListener listener in list.Items) Notify(listener);
                return;
            default:
                Notify((IFutureListener)callbacks);
                return;
        }
    }

    private void Notify(IFutureListener listener)
    {
        if (listener is ICountingListener counting && counting.CountedInline(this)) return;
        _loop.ScheduleListener(listener, this);
    }

    /// <summary>Called from the finalizer of the report when the exception was never observed.</summary>
    internal void ReportUnretrievedException()
    {
        if (_callbacks is not UnretrievedExceptionReport) return;
        _callbacks = null;
        var context = new ExceptionContext($"{KindName} exception was never retrieved")
        {
            Exception = _outcome as Exception,
            Future = this,
        };
        _loop.CallExceptionHandlerFromAnyThread(context);
    }

    /// <summary>The state word asyncio prints in a repr.</summary>
    private protected string StateText => State switch
    {
        FutureState.Pending => "pending",
        FutureState.Cancelled => "cancelled",
        _ => "finished",
    };

    /// <summary>What a repr prints after the state: the result or the exception.</summary>
    private protected virtual string OutcomeText() =>
        State == FutureState.Finished && _outcome is Exception e ? $" exception={e.GetType().Name}('{e.Message}')" : "";

    /// <inheritdoc/>
    public override string ToString() => $"<{KindName} {StateText}{OutcomeText()}>";

    /// <summary>A user callback with the context it was registered in.</summary>
    private sealed class DoneCallback : IFutureListener
    {
        public readonly Action<Future> Callback;
        private readonly ExecutionContext? _context;

        public DoneCallback(Action<Future> callback, ExecutionContext? context)
        {
            Callback = callback;
            _context = context;
        }

        public void OnFutureDone(Future future)
        {
            if (_context is not null) ExecutionContext.Restore(_context);
            Callback(future);
        }

        public override string ToString() => $"done callback {Callback.Method.Name}";
    }

    /// <summary>Two or more listeners, in registration order.</summary>
    private sealed class ListenerList
    {
        public readonly List<IFutureListener> Items;

        public ListenerList(IFutureListener first, IFutureListener second)
        {
            Items = new List<IFutureListener>(4) { first, second };
        }

        public void Add(IFutureListener listener) => Items.Add(listener);

        public int RemoveAll(Predicate<IFutureListener> match) => Items.RemoveAll(match);

        /// <summary>Removes the first registration of <paramref name="listener"/> (by identity).</summary>
        public bool Remove(IFutureListener listener)
        {
            for (int i = 0; i < Items.Count; i++)
            {
                if (ReferenceEquals(Items[i], listener))
                {
                    Items.RemoveAt(i);
                    return true;
                }
            }
            return false;
        }
    }
}

/// <summary>
/// Lives exactly as long as a future that finished with an exception nobody has looked at; its
/// finalizer reports "exception was never retrieved" (asyncio does this in <c>Future.__del__</c>).
/// Suppressed as soon as the exception is observed.
/// </summary>
internal sealed class UnretrievedExceptionReport
{
    /// <summary>The future whose exception is unobserved.</summary>
    private readonly Future _future;

    public UnretrievedExceptionReport(Future future) => _future = future;

    ~UnretrievedExceptionReport() => _future.ReportUnretrievedException();
}
