using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Asyncio;

/// <summary>Where a coroutine is in its life.</summary>
internal enum CoroutineState : byte
{
    /// <summary>Made by calling the method; nothing of the body has run.</summary>
    Created,

    /// <summary>Taken by an await or a task, not started yet.</summary>
    Claimed,

    /// <summary>Started: running or suspended at an await.</summary>
    Running,

    /// <summary>Returned or threw.</summary>
    Completed,
}

/// <summary>
/// A lazy asynchronous computation: the return type of <c>async Coroutine</c> methods. Calling the method
/// runs nothing; the body starts when the coroutine is awaited (inline, in the awaiting task) or wrapped in
/// a task with <see cref="Aio.CreateTask(Coroutine, string?)"/>. A coroutine can be awaited only once.
/// <para>asyncio: a coroutine object (what calling an <c>async def</c> returns).</para>
/// </summary>
/// <remarks>
/// The object is the compiler's state machine box itself (see <see cref="CoroutineMethodBuilder{T}"/>),
/// so a coroutine costs one allocation. Awaiting one coroutine from another runs it in the same task
/// with no trip through the loop; the task's step loop resumes the child and then the parent without
/// growing the stack (<see cref="EventLoop.RunCoroutines"/>).
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
[AsyncMethodBuilder(typeof(CoroutineMethodBuilder))]
public abstract class Coroutine : IFutureListener
{
    /// <summary>The task driving this coroutine, set when it starts.</summary>
    internal AioTask? _task;

    /// <summary>
    /// Who resumes when this coroutine completes: the awaiting parent <see cref="Coroutine"/>, the
    /// <see cref="AioTask"/> whose root it is, or an <see cref="Action"/> of a foreign async method.
    /// Before it starts, in debug mode, the <see cref="NeverAwaitedReport"/>; once completed, the
    /// exception the body threw, if any (one slot for three phases keeps every coroutine 8 bytes smaller).
    /// </summary>
    internal object? _continuation;

    /// <summary>Where the coroutine is in its life.</summary>
    internal CoroutineState _state;

    /// <summary>
    /// Set on a coroutine made to await an operation that started before it (a queue get, a .NET task; see
    /// <see cref="OperationCoroutines"/>): a task cancelled before its first step still runs it, so that a
    /// waiting operation is withdrawn and a finished one is consumed, and keeps the result of an operation
    /// that had completed, since cancelling cannot undo it. (A byte beside <see cref="_state"/>: no extra space.)
    /// </summary>
    internal bool _awaitsStartedOperation;

    /// <summary>
    /// Set once any loop was put in debug mode: a cheap first check, so that coroutines made outside debug
    /// mode never pay for the thread-static read below.
    /// </summary>
    internal static volatile bool s_trackNeverAwaited;

    private protected Coroutine()
    {
        // Watched for never being awaited: coroutines made while a debug-mode loop runs on this thread, or
        // every coroutine when AIO_DEBUG=1. The report is a finalizable object, hence debug mode only.
        if (s_trackNeverAwaited)
        {
            EventLoop? loop = EventLoop.RunningOrNull;
            if (LoopDefaults.DebugFromEnvironment || loop is { Debug: true }) _continuation = new NeverAwaitedReport(this, loop);
        }
    }

    /// <summary>Runs the body up to its next await (or to its end).</summary>
    internal abstract void MoveNext();

    /// <summary>Wraps this coroutine in a task of its own result type (so a <c>Coroutine&lt;int&gt;</c> seen as <c>Coroutine</c> keeps its type).</summary>
    internal abstract AioTask CreateTaskOn(EventLoop loop, string? name);

    /// <summary>This coroutine as one without a result, for APIs that take any coroutine.</summary>
    internal abstract Coroutine<VoidResult> AsVoid();

    /// <summary>The method's name, for reprs and reports (asyncio: <c>__qualname__</c>).</summary>
    public abstract string Name { get; }

    /// <summary>True once the body returned or threw (asyncio: <c>cr_frame is None</c> after running).</summary>
    public bool IsCompleted => _state == CoroutineState.Completed;

    /// <summary>Awaits the coroutine: runs it inline in the awaiting task.</summary>
    public CoroutineAwaiter GetAwaiter() => new(this);

    /// <summary>
    /// A .NET task as a coroutine that awaits it, so that it is accepted wherever a coroutine is
    /// (<c>Aio.CreateTask(stream.FlushAsync())</c>). Cancelling the coroutine's task abandons the await.
    /// <para>asyncio: what <c>asyncio.wrap_future</c> does for a <c>concurrent.futures.Future</c>.</para>
    /// </summary>
    public static implicit operator Coroutine(Task task) => OperationCoroutines.Await(task ?? throw new ArgumentNullException(nameof(task)));

    /// <summary>A .NET value task as a coroutine that awaits it (once, as a value task must be).</summary>
    public static implicit operator Coroutine(ValueTask task) => OperationCoroutines.Await(task);

    /// <summary>
    /// Takes the coroutine for one await or one task: asyncio allows each coroutine to run once.
    /// </summary>
    /// <exception cref="InvalidOperationException">It was awaited or scheduled before.</exception>
    internal void Claim()
    {
        if (_state != CoroutineState.Created)
        {
            throw new InvalidOperationException(_state == CoroutineState.Completed
                ? "cannot reuse already awaited coroutine"
                : "coroutine is being awaited already");
        }
        _state = CoroutineState.Claimed;
        if (_continuation is NeverAwaitedReport report)
        {
            GC.SuppressFinalize(report);
            _continuation = null;
        }
    }

    /// <summary>Closes a coroutine nobody has taken yet without running it (asyncio: <c>coro.close()</c>).</summary>
    internal void CloseIfUnclaimed()
    {
        if (_state != CoroutineState.Created) return;
        Claim();
        _state = CoroutineState.Completed;
    }

    /// <summary>Starts this claimed coroutine as the child of <paramref name="parent"/>, in its task.</summary>
    internal void StartAsChildOf(Coroutine parent)
    {
        Debug.Assert(_state == CoroutineState.Claimed);
        AioTask task = parent._task!;
        _task = task;
        _continuation = parent;
        _state = CoroutineState.Running;
        task._loop.HandOver(this);
    }

    /// <summary>Starts this claimed coroutine as the root of <paramref name="task"/>.</summary>
    internal void StartAsRootOf(AioTask task)
    {
        _task = task;
        _continuation = task;
        _state = CoroutineState.Running;
    }

    /// <summary>
    /// Runs this claimed coroutine now, for an <c>async</c> method of another kind that awaits it inside a
    /// task; <paramref name="continuation"/> resumes that method when the coroutine completes.
    /// </summary>
    internal void StartInline(Action continuation)
    {
        EventLoop? loop = EventLoop.RunningOrNull;
        AioTask? task = loop?.CurrentTask;
        if (task is null)
        {
            throw new InvalidOperationException(
                $"The coroutine '{Name}' was awaited outside a task. A coroutine runs inside a task on an event loop: " +
                "start it with Aio.Run, loop.RunUntilComplete or Aio.CreateTask, or await it from another coroutine.");
        }
        _task = task;
        _continuation = continuation;
        _state = CoroutineState.Running;
        loop!.RunCoroutines(this);
    }

    /// <summary>The exception the body threw, once completed; null otherwise.</summary>
    internal Exception? Error => _state == CoroutineState.Completed ? _continuation as Exception : null;

    /// <summary>Marks the body finished and resumes whoever waits for it.</summary>
    internal void Complete() => Complete(null);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Complete(Exception? error)
    {
        _state = CoroutineState.Completed;
        object? continuation = _continuation;
        _continuation = error;
        switch (continuation)
        {
            case Coroutine parent: _task!._loop.HandOver(parent); break;
            case AioTask task: task.OnRootCompleted(); break;
            case Action foreign: foreign(); break;
        }
    }

    /// <summary>Completes with the exception the body threw.</summary>
    internal void SetException(Exception exception) => Complete(exception);

    /// <summary>Rethrows the body's exception, if any, keeping its stack trace.</summary>
    internal void ThrowIfFailed()
    {
        if (Error is { } error) ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>Marks a coroutine that was never started as closed (a task cancelled before its first step).</summary>
    internal void CloseUnstarted(CancelledError error)
    {
        _state = CoroutineState.Completed;
        _continuation = error;
    }

    /// <summary>Suspends this coroutine on <paramref name="awaiter"/>: the builder's one decision per await.</summary>
    /// <remarks>
    /// The awaiter kind is a constant per awaiter type (<see cref="AwaiterKind{T}"/>), so the JIT keeps only
    /// the branch that applies; loop-native awaiters are read in place, without boxing.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Suspend<TAwaiter>(ref TAwaiter awaiter)
    {
        // AwaiterKind checks once per type that the awaiters read in place below have the layout read here.
        Debug.Assert(AwaiterKind<TAwaiter>.Value is not (AwaiterKinds.Future or AwaiterKinds.Coroutine) || Unsafe.SizeOf<TAwaiter>() == IntPtr.Size);
        Debug.Assert(AwaiterKind<TAwaiter>.Value is not AwaiterKinds.Primitive || Unsafe.SizeOf<TAwaiter>() >= IntPtr.Size);
        switch (AwaiterKind<TAwaiter>.Value)
        {
            case AwaiterKinds.Future:
                _task!.SuspendOnFuture(this, Unsafe.As<TAwaiter, Future>(ref awaiter));
                break;
            case AwaiterKinds.Coroutine:
                Unsafe.As<TAwaiter, Coroutine>(ref awaiter).StartAsChildOf(this);
                break;
            case AwaiterKinds.Sleep:
                _task!.SuspendOnSleep(this, Unsafe.As<TAwaiter, SleepAwaiter>(ref awaiter).Delay);
                break;
            case AwaiterKinds.Primitive:
                // Read in place, as the awaiter's first field (checked by AwaiterKind): a cast to the interface
                // would box the awaiter on every wait.
                object source = Unsafe.As<TAwaiter, object>(ref awaiter);
                if (source is Coroutine child)
                {
                    child.StartAsChildOf(this);
                }
                else
                {
                    Debug.Assert(source is Waiter, "a primitive's awaiter waits for a coroutine or a waiter");
                    _task!.SuspendOnFuture(this, Unsafe.As<Waiter>(source));
                    Unsafe.As<Waiter>(source).ScreenWakeUps(this);
                }
                break;
            default:
                throw new UnreachableException("foreign awaiters are handled by the builder");
        }
    }

    /// <summary>
    /// Parks this coroutine at a foreign await and returns the continuation to hand to the awaiter, which
    /// posts the next step to the loop from whatever thread completes the operation.
    /// </summary>
    internal Action SuspendOnForeign<TAwaiter>(ref TAwaiter awaiter) where TAwaiter : INotifyCompletion
    {
        var foreign = new ForeignAwait<TAwaiter>(this, awaiter);
        _task!.SuspendOnForeign(foreign);
        return foreign.OnCompleted;
    }

    /// <summary>True if a suspended <typeparamref name="TAwaiter"/> of this coroutine's state machine can be replaced.</summary>
    internal abstract bool CanReplaceAwaiter<TAwaiter>();

    /// <summary>Replaces the suspended awaiter of type <typeparamref name="TAwaiter"/> (see <see cref="ForeignAwait"/>).</summary>
    internal abstract void ReplaceAwaiter<TAwaiter>(TAwaiter awaiter);

    void IFutureListener.OnFutureDone(Future future) => _task!.Step(this, resumedFromLoopAwait: true);

    /// <inheritdoc/>
    public override string ToString() => $"<coroutine {Name} {_state.ToString().ToLowerInvariant()}>";
}

/// <summary>Reports, when collected, a coroutine that was created but never awaited (debug mode only).</summary>
internal sealed class NeverAwaitedReport
{
    private readonly Coroutine _coroutine;
    private readonly EventLoop? _loop;

    public NeverAwaitedReport(Coroutine coroutine, EventLoop? loop)
    {
        _coroutine = coroutine;
        _loop = loop;
    }

    ~NeverAwaitedReport()
    {
        var context = new ExceptionContext($"coroutine '{_coroutine.Name}' was never awaited");
        if (_loop is not null) _loop.CallExceptionHandlerFromAnyThread(context);
        else EventLoop.WriteToStandardError(context);
    }
}

/// <summary>Awaiter of a <see cref="Coroutine"/>.</summary>
public readonly struct CoroutineAwaiter : ICriticalNotifyCompletion, ICoroutineAwaiter
{
    /// <summary>The awaited coroutine; the only field, so the builder can read it in place.</summary>
    private readonly Coroutine _coroutine;

    internal CoroutineAwaiter(Coroutine coroutine) => _coroutine = coroutine;

    /// <summary>Claims the coroutine; always false, so that it starts inside the awaiting task.</summary>
    /// <exception cref="InvalidOperationException">The coroutine was awaited or scheduled before.</exception>
    public bool IsCompleted
    {
        get
        {
            _coroutine.Claim();
            return false;
        }
    }

    /// <summary>Rethrows the coroutine's exception, if any.</summary>
    public void GetResult() => _coroutine.ThrowIfFailed();

    /// <summary>Runs the coroutine inline for a foreign async method awaiting it inside a task.</summary>
    public void OnCompleted(Action continuation) => _coroutine.StartInline(continuation);

    /// <summary>Runs the coroutine inline for a foreign async method awaiting it inside a task.</summary>
    public void UnsafeOnCompleted(Action continuation) => _coroutine.StartInline(continuation);
}

/// <summary>Marks awaiters whose single field is a <see cref="Coroutine"/>.</summary>
internal interface ICoroutineAwaiter { }

/// <summary>
/// Awaiters of queues and primitives (<see cref="LoopAwaiter{T}"/>, <see cref="LoopAwaiter"/>): when not
/// completed, they wait for the loop future or the coroutine that <see cref="Source"/> returns.
/// </summary>
internal interface IPrimitiveAwaiter
{
    /// <summary>The <see cref="Future"/> or <see cref="Coroutine"/> to suspend on (only asked when not completed).</summary>
    object Source { get; }
}
