using System.Diagnostics;

namespace Asyncio;

// How a task drives its coroutine: the first step, each resumption, and what the task waits on while suspended
// (a loop future, a sleep's timer, a foreign await). asyncio: Task.__step and Task.__wakeup.
public abstract partial class AioTask
{
    /// <summary>
    /// The waiter of a task that yielded to the loop with nothing to cancel (<c>Sleep(0)</c>): a cancellation is
    /// delivered when it resumes. Marks the task as suspended on a loop await in this step.
    /// </summary>
    private static readonly object s_yielding = new();

    /// <summary>Ready-queue invoker of a task's first step.</summary>
    private static readonly Action<object?, object?> s_firstStep = static (task, _) => ((AioTask)task!).FirstStep();

    /// <summary>Ready-queue invoker that resumes a coroutine suspended on a loop awaitable (sleep, yield).</summary>
    internal static readonly Action<object?, object?> s_resumeStep =
        static (box, _) => ((AioTask)box!).Owner.Step((AioTask)box, resumedFromLoopAwait: true);

    /// <summary>Ready-queue invoker that resumes a coroutine by throwing an exception at its await.</summary>
    private static readonly Action<object?, object?> s_throwStep = static (box, error) =>
    {
        var coroutine = (AioTask)box!;
        coroutine.Owner.Step(coroutine, resumedFromLoopAwait: false, (Exception)error!);
    };

    private void FirstStep()
    {
        if (IsDone) return;
        if (MustCancel && !AwaitsStartedOperation)
        {
            // asyncio throws into the unstarted coroutine, which therefore runs none of its body.
            MustCancel = false;
            CoroutineState = CoroutineState.Completed;
            Finish(new CancelledError(PendingCancelMessage));
            return;
        }
        CoroutineState = CoroutineState.Running;
        Step(this, resumedFromLoopAwait: false);
    }

    /// <summary>
    /// One step: resumes <paramref name="coroutine"/> (and whoever it completes into) until the task
    /// suspends again or finishes. A pending cancellation is thrown at the await being resumed when that
    /// await is the loop's own; after a foreign await it waits for the next suspension.
    /// </summary>
    /// <param name="coroutine">The coroutine to resume.</param>
    /// <param name="resumedFromLoopAwait">True when it resumes from a loop awaiter, which can take a cancellation.</param>
    /// <param name="throwAtResume">An exception the resumed loop awaiter throws (a refused await), if any.</param>
    internal void Step(AioTask coroutine, bool resumedFromLoopAwait, Exception? throwAtResume = null)
    {
        if (IsDone) return;
        EventLoop loop = _loop;
        bool deliverCancel = throwAtResume is null && MustCancel && resumedFromLoopAwait;
        loop.EnterTask(this, deliverCancel ? new CancelledError(PendingCancelMessage) : throwAtResume);
        if (deliverCancel) MustCancel = false;
        Waiter = null;
        ExecutionContext? context = Context;
        if (context is not null && !loop.ThreadHoldsContext(context)) ExecutionContext.Restore(context);
        try
        {
            loop.RunCoroutines(coroutine);
        }
        finally
        {
            // Most steps leave the context as they found it: then there is nothing to store.
            ExecutionContext? after = ExecutionContext.Capture();
            if (!ReferenceEquals(after, context)) Context = after;
            loop.LeaveTask(this);
            loop.StepLeftContext(after);
        }
    }

    /// <summary>The coroutine awaits a loop future: wake on its completion (asyncio: <c>__step</c>'s blocking branch).</summary>
    internal void SuspendOnFuture(AioTask coroutine, Future future)
    {
        if (future._loop != _loop)
        {
            ThrowAtResume(coroutine, new InvalidOperationException(
                $"Task {this} got Future {future} attached to a different loop"));
            return;
        }
        if (ReferenceEquals(future, this))
        {
            ThrowAtResume(coroutine, new InvalidOperationException($"Task cannot await on itself: {this}"));
            return;
        }
        Waiter = future;
        future.AddListener(coroutine);
        if (MustCancel && future.Cancel(PendingCancelMessage)) MustCancel = false;
    }

    /// <summary>The coroutine sleeps: a bare yield for <c>delay &lt;= 0</c>, else a timer that resumes it.</summary>
    internal void SuspendOnSleep(AioTask coroutine, double delay)
    {
        if (delay <= 0 || MustCancel)
        {
            // A pending cancellation needs no timer: the step about to run delivers it.
            Waiter = s_yielding;
            _loop.EnqueueReady(s_resumeStep, coroutine, null);
            return;
        }
        Waiter = _loop.ScheduleTimer(delay, s_resumeStep, coroutine, null, null);
    }

    /// <summary>
    /// The coroutine awaits a .NET task or another foreign awaitable (see <see cref="ForeignAwait"/>). When the
    /// foreign code ran coroutines or awaited loop futures inline in this step, the task already waits on the
    /// innermost of those: that await takes a cancellation, which then travels out through the foreign code.
    /// </summary>
    internal void SuspendOnForeign(ForeignAwait foreign)
    {
        _loop.ForeignAwaitStarted();
        if (Waiter is not null) return;
        Waiter = foreign;
        // Cancelled before suspending (the task cancelled itself): the await ends at once, as Cancel ends it.
        if (MustCancel && CancelWaiter(PendingCancelMessage)) MustCancel = false;
    }

    /// <summary>
    /// Resumes a coroutine after its foreign await completed or was abandoned. A cancellation that arrived
    /// meanwhile is thrown at that await (the completed operation's outcome is dropped), as asyncio does when
    /// a task is cancelled while the wake-up from its future is already scheduled.
    /// </summary>
    internal void ResumeFromForeignAwait(ForeignAwait foreign)
    {
        if (IsDone) return;
        if (foreign.IsAbandoned)
        {
            foreign.ThrowAtAwait(new CancelledError(foreign.CancelMessage));
        }
        else if (MustCancel && foreign.IsInterruptible)
        {
            MustCancel = false;
            foreign.ConsumeOutcome();
            foreign.ThrowAtAwait(new CancelledError(PendingCancelMessage));
        }
        Step(foreign.Coroutine, resumedFromLoopAwait: false);
    }

    /// <summary>A foreign async method running in this task's step awaits <paramref name="future"/> (see <see cref="Future.AddForeignContinuation"/>).</summary>
    internal void WaitsInForeignMethod(Future future)
    {
        if (Waiter is not null || ReferenceEquals(future, this)) return;
        if (future.IsDone)
        {
            Waiter = s_yielding;
            return;
        }
        Waiter = future;
        if (MustCancel && future.Cancel(PendingCancelMessage)) MustCancel = false;
    }

    private void ThrowAtResume(AioTask coroutine, Exception error) =>
        _loop.EnqueueReady(s_throwStep, coroutine, error);

    /// <summary>The root coroutine returned or threw: the task takes its outcome.</summary>
    private void OnRootCompleted(Exception? error)
    {
        if (error is null)
        {
            if (MustCancel && !AwaitsStartedOperation)
            {
                // Cancelled right before the coroutine returned: the return value is discarded.
                MustCancel = false;
                Finish(new CancelledError(PendingCancelMessage));
            }
            else
            {
                Finish(null);
            }
        }
        else if (AsCancellation(error) is { } cancelled)
        {
            Finish(cancelled);
        }
        else
        {
            _loop.UnregisterTask(this);
            TrySetExceptionCore(error);
        }
    }
}
