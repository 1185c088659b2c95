using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Asyncio;

/// <summary>
/// A group of child tasks that ends only when every child has ended. The first child to fail cancels the
/// other children and the body; the group then throws an <see cref="ExceptionGroup"/> with every failure.
/// <para>asyncio: <c>asyncio.TaskGroup</c> (<c>async with TaskGroup() as tg:</c>).</para>
/// </summary>
/// <remarks>
/// <para>Two forms. <see cref="Run(Func{TaskGroup, Coroutine})"/> is the full <c>async with</c>: the body's own
/// exception is seen by the group (it cancels the children and joins the group).
/// <c>await using var tg = new TaskGroup();</c> is shorter, but <see cref="DisposeAsync"/> cannot see an
/// exception thrown by the body: a failing body does not cancel the children (they are awaited normally) and
/// its exception is not grouped; child failures still cancel the body and are grouped.</para>
/// <para>Cancellation follows Python 3.13: a child failure calls <see cref="AioTask.Cancel"/> on the parent task
/// and the exit withdraws that request with <see cref="AioTask.Uncancel"/>, so the parent's
/// <see cref="AioTask.Cancelling"/> count is the same after the group as before. A cancellation from outside
/// cancels every child and leaves the group as <see cref="CancelledError"/>, unless a child failed: errors take
/// priority, and the outside request stays pending for the parent's next await.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class TaskGroup : IAsyncDisposable, ICountingListener
{
    private readonly EventLoop _loop;

    /// <summary>The task that created the group; a failing child cancels it.</summary>
    private readonly AioTask _parent;

    /// <summary>
    /// The children, done ones included until the next compaction: a list with a count of the pending ones is
    /// cheaper per child than a set (no hashing, no removal), and compacting when most are done keeps a
    /// long-lived group from holding every child it ever had.
    /// </summary>
    private readonly ChildTasks _children = new();

    /// <summary>Children not done yet (counted down when a child's notification runs).</summary>
    private int _pending;

    /// <summary>Children not completed yet: counted down when a child completes (see <c>CountedInline</c>).</summary>
    private int _incomplete;

    /// <summary>Failures in the order they happened; null while there are none.</summary>
    private List<Exception>? _errors;

    /// <summary>The exit has begun (the body has ended).</summary>
    private bool _exiting;

    /// <summary>The children are being cancelled: no new child is accepted.</summary>
    private bool _aborting;

    /// <summary>This group cancelled the parent task; the exit must withdraw that request.</summary>
    private bool _parentCancelRequested;

    /// <summary>Completed when the last child ends, while the exit waits.</summary>
    private Future<bool>? _onCompleted;

    /// <summary>
    /// Creates a group whose parent is the current task (asyncio enters it with <c>async with</c>; here creation
    /// is entering). Use it with <c>await using</c>, or prefer <see cref="Run(Func{TaskGroup, Coroutine})"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No task is running on this thread.</exception>
    public TaskGroup()
    {
        _loop = Aio.GetRunningLoop();
        _parent = _loop.CurrentTask ?? throw new InvalidOperationException("TaskGroup cannot determine the parent task");
    }

    /// <summary>
    /// Runs <paramref name="body"/> with a new group and waits for every child it created.
    /// <para>asyncio: <c>async with asyncio.TaskGroup() as tg: ...</c>.</para>
    /// </summary>
    /// <param name="body">Creates children with <see cref="CreateTask{T}(Coroutine{T}, string?)"/>.</param>
    /// <exception cref="ExceptionGroup">Children or the body failed.</exception>
    /// <exception cref="CancelledError">The parent task was cancelled from outside and nothing failed.</exception>
    public static Coroutine Run(Func<TaskGroup, Coroutine> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        // A result-less coroutine is a Coroutine<VoidResult> underneath: one implementation serves both forms.
        return Run(group => body(group).AsVoid());
    }

    /// <summary>
    /// Runs a body that only starts children (it does not await) and waits for every child. A plain lambda,
    /// so a discarded <see cref="CreateTask{T}(Coroutine{T}, string?)"/> raises no CS4014 warning:
    /// <c>await TaskGroup.Run(tg => { tg.CreateTask(A()); tg.CreateTask(B()); });</c>
    /// <para>asyncio: <c>async with asyncio.TaskGroup() as tg: tg.create_task(a()); tg.create_task(b())</c>.</para>
    /// </summary>
    /// <param name="body">Creates children.</param>
    /// <exception cref="ExceptionGroup">Children or the body failed.</exception>
    /// <exception cref="CancelledError">The parent task was cancelled from outside and nothing failed.</exception>
    public static Coroutine Run(Action<TaskGroup> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Run(group =>
        {
            body(group);
            return Completed();
        });
    }

    /// <summary>A coroutine that returns at once (the awaitable end of a synchronous body).</summary>
#pragma warning disable CS1998 // no await: the body already ran
    private static async Coroutine<VoidResult> Completed() => default;
#pragma warning restore CS1998

    /// <summary>
    /// Runs <paramref name="body"/> with a new group, waits for every child, and returns the body's value.
    /// <para>asyncio: <c>async with asyncio.TaskGroup() as tg: ...</c>.</para>
    /// </summary>
    /// <typeparam name="T">The body's result type.</typeparam>
    /// <param name="body">Creates children and computes the value.</param>
    /// <exception cref="ExceptionGroup">Children or the body failed.</exception>
    /// <exception cref="CancelledError">The parent task was cancelled from outside and nothing failed.</exception>
    public static async Coroutine<T> Run<T>(Func<TaskGroup, Coroutine<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var group = new TaskGroup();
        Exception? error = null;
        T result = default!;
        try
        {
            result = await body(group);
        }
        catch (Exception e)
        {
            error = e;
        }
        await group.ExitAsync(error);
        if (error is not null) ExceptionDispatchInfo.Throw(error);
        return result;
    }

    /// <summary>
    /// Starts <paramref name="coroutine"/> as a child task of the group. Allowed from the body, from children,
    /// and while the group's exit waits for children.
    /// <para>asyncio: <c>TaskGroup.create_task(coro, name=None)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="coroutine">A coroutine not awaited before.</param>
    /// <param name="name">The task's name.</param>
    /// <exception cref="InvalidOperationException">The group is finished, or shutting down after a failure.</exception>
    public AioTask<T> CreateTask<T>(Coroutine<T> coroutine, string? name = null)
    {
        CheckAcceptsTasks();
        AioTask<T> task = _loop.CreateTask(coroutine, name);
        Track(task);
        return task;
    }

    /// <inheritdoc cref="CreateTask{T}(Coroutine{T}, string?)"/>
    public AioTask CreateTask(Coroutine coroutine, string? name = null)
    {
        CheckAcceptsTasks();
        AioTask task = _loop.CreateTask(coroutine, name);
        Track(task);
        return task;
    }

    /// <inheritdoc cref="CreateTask{T}(Coroutine{T}, string?)"/>
    /// <param name="operation">A queue or primitive operation (it started when called).</param>
    /// <param name="name">The task's name.</param>
    public AioTask<T> CreateTask<T>(LoopAwaitable<T> operation, string? name = null) => CreateTask((Coroutine<T>)operation, name);

    /// <inheritdoc cref="CreateTask{T}(Coroutine{T}, string?)"/>
    /// <param name="task">A .NET task; cancelling the group abandons the await of it.</param>
    /// <param name="name">The task's name.</param>
    public AioTask<T> CreateTask<T>(Task<T> task, string? name = null) => CreateTask((Coroutine<T>)task, name);

    /// <inheritdoc cref="CreateTask{T}(Coroutine{T}, string?)"/>
    /// <param name="task">A .NET value task, not awaited before.</param>
    /// <param name="name">The task's name.</param>
    public AioTask<T> CreateTask<T>(ValueTask<T> task, string? name = null) => CreateTask((Coroutine<T>)task, name);

    /// <summary>
    /// Waits for every child (the end of an <c>await using</c> block). Cannot see an exception of the body:
    /// see the remarks on <see cref="TaskGroup"/>.
    /// <para>asyncio: <c>TaskGroup.__aexit__</c>.</para>
    /// </summary>
    /// <exception cref="ExceptionGroup">Children failed.</exception>
    public ValueTask DisposeAsync()
    {
        // The exit runs inline in the parent task, so a cancellation of the parent reaches its await as in asyncio.
        return CoroutineCompletionSource.RunInline(ExitAsync(null));
    }

    /// <summary>The exit: waits for the children, then decides what to throw (asyncio 3.13's <c>_aexit</c>).</summary>
    /// <param name="error">What the body threw, or null.</param>
    internal async Coroutine ExitAsync(Exception? error)
    {
        _exiting = true;
        // Asked now: an Uncancel below may replace the token that an OperationCanceledException names.
        CancelledError? bodyCancelled = error is null ? null : _parent.AsCancellation(error);
        CancelledError? propagateCancel = bodyCancelled;
        if (error is not null && !_aborting) Abort();
        while (_pending > 0)
        {
            _onCompleted ??= _loop.CreateFuture<bool>();
            try
            {
                await _onCompleted;
            }
            catch (CancelledError cancelled)
            {
                // The parent is cancelled from outside while we wait: cancel the children and keep waiting.
                if (!_aborting)
                {
                    propagateCancel = cancelled;
                    Abort();
                }
            }
            _onCompleted = null;
        }
        if (_parentCancelRequested && _parent.Uncancel() == 0)
        {
            // Only our own request cancelled the parent: it must not leave the group as CancelledError.
            propagateCancel = null;
        }
        if (propagateCancel is not null && _errors is null) ExceptionDispatchInfo.Throw(propagateCancel);
        if (error is not null && bodyCancelled is null) (_errors ??= new()).Add(error);
        if (_errors is not null)
        {
            if (_parent.Cancelling() > 0)
            {
                // A cancellation from outside stays pending (delivered at the parent's next await), as in 3.13.
                _parent.Uncancel();
                _parent.Cancel();
            }
            var group = new ExceptionGroup("unhandled errors in a TaskGroup", _errors);
            _errors = null;
            throw group;
        }
    }

    /// <summary>
    /// A child with a result that is not the last to complete: only the count changes. The last to complete is always
    /// scheduled, so the body resumes after its notification, as in asyncio.
    /// </summary>
    bool ICountingListener.CountedInline(Future future)
    {
        _incomplete--;
        if (!future.HasResult || _incomplete == 0 || _pending == 1) return false;
        ChildDone();
        return true;
    }

    void IFutureListener.OnFutureDone(Future future)
    {
        var task = (AioTask)future;
        ChildDone();
        if (_onCompleted is not null && _pending == 0) _onCompleted.TrySetResult(true);
        if (task.IsCancelled || task.Exception() is not { } error) return;
        (_errors ??= new()).Add(error);
        if (_parent.IsDone)
        {
            _loop.CallExceptionHandler(new ExceptionContext("Task group's parent task is done; the error of a child was dropped")
            {
                Exception = error,
                Task = task,
            });
            return;
        }
        if (!_aborting && !_parentCancelRequested)
        {
            // Interrupt whatever the body is awaiting: the group is failing.
            Abort();
            _parentCancelRequested = true;
            _parent.Cancel();
        }
    }

    private void ChildDone()
    {
        _pending--;
        // Not while aborting: the abort walks the children by index.
        if (!_aborting && _children.Count > 64 && _pending < _children.Count / 2) _children.RemoveDone();
    }

    private void CheckAcceptsTasks()
    {
        if (_exiting && _pending == 0) throw new InvalidOperationException($"TaskGroup {this} is finished");
        if (_aborting) throw new InvalidOperationException($"TaskGroup {this} is shutting down");
    }

    private void Track(AioTask task)
    {
        _children.Add(task);
        _pending++;
        _incomplete++;
        task.AddListener(this);
    }

    private void Abort()
    {
        _aborting = true;
        // A child that cancelling completes at once does not compact the list while aborting, and no child
        // is added: the indexes stay put.
        for (int i = 0; i < _children.Count; i++)
        {
            AioTask task = _children[i];
            if (!task.IsDone) task.Cancel();
        }
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string state = _aborting ? " cancelling" : _exiting ? " exiting" : " entered";
        return $"<TaskGroup tasks={_pending}{state}>";
    }
}
