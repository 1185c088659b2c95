using System.Runtime.CompilerServices;
using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// A future that drives a coroutine on its loop: each step runs the coroutine up to its next await.
/// Cancellation is a request, delivered as a <see cref="CancelledError"/> at the coroutine's await.
/// <para>asyncio: <c>asyncio.Task</c>.</para>
/// </summary>
/// <remarks>
/// <para>Cancellation follows asyncio exactly: <see cref="Cancel"/> cancels the future the task is waiting
/// on (so the error surfaces from that await), or, when the task is not waiting on a loop future, marks it
/// so that the error is thrown where the task next resumes or suspends. A coroutine may catch the error and
/// go on; <see cref="Cancelling"/> and <see cref="Uncancel"/> count the requests as in Python 3.11+.</para>
/// <para>Awaits of .NET's own awaitables (a <see cref="System.Threading.Tasks.Task"/>, a <see cref="ValueTask"/>)
/// are cancelled the same way: the await ends at once with <see cref="CancelledError"/> and the .NET operation is
/// abandoned (see <see cref="ForeignAwait"/>). Pass <see cref="CancellationToken"/> to such APIs so that the
/// abandoned operation stops too.</para>
/// <para>Each step runs in the <see cref="ExecutionContext"/> captured when the task was created and carries
/// changes from one step to the next, so <see cref="AsyncLocal{T}"/> values behave as contextvars do.</para>
/// </remarks>
public abstract partial class AioTask : Future
{
    /// <summary>Process-wide counter behind the default names <c>Task-N</c> (asyncio's <c>_task_name_counter</c>).</summary>
    private static int s_nameCounter;

    /// <summary>
    /// The context every step runs in (an <see cref="ExecutionContext"/>, updated after each step with what the step
    /// set), or, once the task has a name, a token or a cancellation request, the <see cref="TaskExtras"/> that hold
    /// it beside that rarely used state. One slot for both keeps a task small (see "Tasks and coroutines" in
    /// docs/architecture.md). In a frame awaited inline (not a task): the task it runs in (<see cref="Owner"/>).
    /// </summary>
    private object? _contextOrExtras;

    /// <summary>
    /// The task's name: the one given at creation, or <c>Task-N</c>.
    /// <para>asyncio: <c>Task.get_name()</c> / <c>Task.set_name()</c>.</para>
    /// </summary>
    public string Name
    {
        get => (_contextOrExtras as TaskExtras)?.Name ?? $"Task-{_taskNumber}";
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            Extras.Name = value;
        }
    }

    /// <summary>
    /// What the task is suspended on: a <see cref="Future"/>, the <see cref="TimerHandle"/> of a sleep, a
    /// <see cref="ForeignAwait"/>, or <see cref="s_yielding"/> (asyncio: <c>_fut_waiter</c>). It lives in the outcome slot, which is unused until the task is done:
    /// one field less on every task.
    /// </summary>
    internal object? Waiter
    {
        get => State == FutureState.Pending ? _outcome : null;
        set
        {
            Debug.Assert(State == FutureState.Pending);
            _outcome = value;
        }
    }

    /// <summary>The message of a cancellation not delivered yet (asyncio: <c>_cancel_message</c>).</summary>
    private string? PendingCancelMessage
    {
        get => (_contextOrExtras as TaskExtras)?.CancelMessage;
        set
        {
            if (value is null && _contextOrExtras is not TaskExtras) return;
            Extras.CancelMessage = value;
        }
    }

    /// <summary>The rarely used state, created on first need.</summary>
    private TaskExtras Extras
    {
        get
        {
            if (_contextOrExtras is not TaskExtras extras)
            {
                extras = new TaskExtras { Context = _contextOrExtras as ExecutionContext };
                _contextOrExtras = extras;
            }
            return extras;
        }
    }

    /// <summary>The greenlet running in this task; null until greenlets are used in it.</summary>
    internal Greenlets.Greenlet? CurrentGreenlet
    {
        get => (_contextOrExtras as TaskExtras)?.CurrentGreenlet;
        set => Extras.CurrentGreenlet = value;
    }

    /// <summary>The token source, if <see cref="CancellationToken"/> was ever read.</summary>
    private CancellationTokenSource? TokenSource => (_contextOrExtras as TaskExtras)?.TokenSource;

    /// <summary>Cancellation requests not withdrawn by <see cref="Uncancel"/> (asyncio: <c>_num_cancels_requested</c>).</summary>
    private int CancelRequests => (_contextOrExtras as TaskExtras)?.CancelRequests ?? 0;

    /// <summary>
    /// The coroutine this task drives.
    /// <para>asyncio: <c>Task.get_coro()</c>.</para>
    /// </summary>
    public Coroutine Coroutine => new(this);

    /// <summary>
    /// A token cancelled by the first <see cref="Cancel"/>, for .NET APIs awaited inside the task: the await of
    /// such an API ends at the cancellation anyway, and the token makes the abandoned operation stop too. An
    /// <see cref="OperationCanceledException"/> for this token counts as the task's <see cref="CancelledError"/>
    /// (<see cref="Aio.Timeout(double?, Func{Coroutine})"/> turns it into a <see cref="TimeoutException"/>, and
    /// one that escapes the coroutine ends the task cancelled).
    /// </summary>
    /// <remarks>
    /// The token belongs to the cancellation request: once every request is withdrawn (<see cref="Uncancel"/>
    /// back to zero, as a timeout that expired does), reading the property gives a fresh, live token.
    /// </remarks>
    public CancellationToken CancellationToken
    {
        get
        {
            TaskExtras extras = Extras;
            if (extras.TokenSource is null)
            {
                extras.TokenSource = new CancellationTokenSource();
                if (extras.CancelRequests > 0 || IsCancelled) extras.TokenSource.Cancel();
            }
            return extras.TokenSource.Token;
        }
    }

    /// <summary>The context the task's next step will run in (what its steps have set so far).</summary>
    internal ExecutionContext? Context
    {
        get => _contextOrExtras is TaskExtras extras ? extras.Context : Unsafe.As<ExecutionContext?>(_contextOrExtras);
        private set
        {
            if (_contextOrExtras is TaskExtras extras) extras.Context = value;
            else _contextOrExtras = value;
        }
    }

    /// <inheritdoc/>
    private protected override string KindName => "Task";

    /// <summary>
    /// Requests cancellation. Returns false if the task is already done; otherwise true (every time) and
    /// counts the request. The awaited future is cancelled at once; the task itself ends only when the
    /// <see cref="CancelledError"/> escapes its coroutine.
    /// <para>asyncio: <c>Task.cancel(msg=None)</c>.</para>
    /// </summary>
    /// <param name="message">Carried by the <see cref="CancelledError"/> delivered to the coroutine.</param>
    /// <returns>False if the task was already done.</returns>
    public override bool Cancel(string? message = null)
    {
        _loop.CheckThread();
        MarkExceptionObserved();
        if (IsDone) return false;
        int requests = ++Extras.CancelRequests;
        if (!CancelWaiter(message))
        {
            MustCancel = true;
            PendingCancelMessage = message;
        }
        // Last: the token's callbacks run now, and may complete a foreign operation the task waits for, which
        // must by then be abandoned (its OperationCanceledException is not the task's to see).
        if (requests == 1) TokenSource?.Cancel();
        return true;
    }

    /// <summary>Delivers a cancellation to what the task waits on, if it can be; false otherwise.</summary>
    private bool CancelWaiter(string? message)
    {
        switch (Waiter)
        {
            case Future future:
                return future.Cancel(message);
            case TimerHandle sleep:
                // A sleep has no future to cancel: call the timer off and wake the task now, to take the error.
                sleep.Cancel();
                Waiter = null;
                _loop.EnqueueReady(s_resumeStep, sleep.A, null);
                return false;
            case ForeignAwait foreign when foreign.TryAbandon(message):
                Waiter = null;
                _loop.EnqueueReady(ForeignAwait.s_resume, foreign, null);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// The number of cancellation requests not withdrawn by <see cref="Uncancel"/>.
    /// <para>asyncio: <c>Task.cancelling()</c>.</para>
    /// </summary>
    public int Cancelling() => CancelRequests;

    /// <summary>
    /// Withdraws one cancellation request and returns how many remain. When none remain, a request not yet
    /// delivered is withdrawn too (Python 3.13's behaviour).
    /// <para>asyncio: <c>Task.uncancel()</c>.</para>
    /// </summary>
    public int Uncancel()
    {
        if (_contextOrExtras is TaskExtras { CancelRequests: > 0 } extras)
        {
            extras.CancelRequests--;
            if (extras.CancelRequests == 0)
            {
                MustCancel = false;
                // The request the token stood for is withdrawn: later reads get a fresh token.
                if (TokenSource is { IsCancellationRequested: true }) Extras.TokenSource = null;
            }
        }
        return CancelRequests;
    }

    /// <summary>A <see cref="System.Threading.Tasks.Task"/> that completes with this task, for code outside the loop.</summary>
    public Task AsTask()
    {
        var source = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        AddListener(new TaskCompletionBridge(source));
        return source.Task;
    }

    /// <summary>
    /// <paramref name="error"/> as this task's cancellation: the <see cref="CancelledError"/> itself, or one made
    /// from an <see cref="OperationCanceledException"/> for the task's <see cref="CancellationToken"/> (what a
    /// .NET API that was given the token throws); null for any other exception.
    /// </summary>
    internal CancelledError? AsCancellation(Exception error) => error switch
    {
        CancelledError cancelled => cancelled,
        OperationCanceledException oce when TokenSource is { IsCancellationRequested: true } source && oce.CancellationToken == source.Token =>
            new CancelledError(PendingCancelMessage ?? oce.Message, oce),
        _ => null,
    };

    private void Finish(CancelledError? cancelled)
    {
        _loop.UnregisterTask(this);
        if (cancelled is null)
        {
            TrySetResultCore();
        }
        else
        {
            TokenSource?.Cancel();
            TryCancelCore(cancelled);
        }
    }

    /// <summary>
    /// A task's saved <see cref="CancelledError"/> (with its message) goes to the first retrieval only;
    /// later ones get a fresh error without a message (asyncio's <c>_make_cancelled_error</c>).
    /// </summary>
    private protected override CancelledError TakeCancelledError()
    {
        CancelledError error = base.TakeCancelledError();
        _outcome = null;
        return error;
    }

    /// <summary>Called when the loop closes with this task still pending (asyncio reports it when collected).</summary>
    internal void ReportDestroyedPending()
    {
        var context = new ExceptionContext("Task was destroyed but it is pending!") { Task = this };
        _loop.CallExceptionHandler(context);
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string state = State == FutureState.Pending && CancelRequests > 0 ? "cancelling" : StateText;
        return $"<Task {state} name='{Name}' coro=<{CoroutineName}>{OutcomeText()}>";
    }

    /// <summary>A task's rarely used state.</summary>
    private sealed class TaskExtras
    {
        /// <summary>The name given by the user, or null for <c>Task-N</c>.</summary>
        public string? Name;

        /// <summary>Cancelled by the first <see cref="Cancel"/>; created when the token is first read.</summary>
        public CancellationTokenSource? TokenSource;

        /// <summary>The message of a cancellation not delivered yet.</summary>
        public string? CancelMessage;

        /// <summary>Cancellation requests not withdrawn by <see cref="Uncancel"/>.</summary>
        public int CancelRequests;

        /// <summary>The context the task's steps run in (see <see cref="_contextOrExtras"/>).</summary>
        public ExecutionContext? Context;

        /// <summary>The greenlet running in this task (see <see cref="Greenlets.Greenlet"/>), once greenlets were used in it.</summary>
        public Greenlets.Greenlet? CurrentGreenlet;
    }

    /// <summary>Completes a <see cref="TaskCompletionSource"/> with the task's outcome.</summary>
    private sealed class TaskCompletionBridge : IFutureListener, IDroppedAtClose
    {
        private readonly TaskCompletionSource _source;

        public TaskCompletionBridge(TaskCompletionSource source) => _source = source;

        public void OnDroppedAtClose() => _source.TrySetCanceled();

        public void OnFutureDone(Future future)
        {
            if (future.IsCancelled) _source.TrySetCanceled();
            else if (future.Exception() is { } error) _source.TrySetException(error);
            else _source.TrySetResult();
        }
    }
}
