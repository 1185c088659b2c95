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

// A task and its root coroutine are one object. The object the compiler's state machine is boxed in (a
// CoroutineBox, made when an `async Coroutine` method is called) is an AioTask<T>: the public Coroutine<T> is a
// struct around it. Awaited inline, the object is only a *frame* (the task fields lie unused; the frame borrows
// two of them); wrapped by CreateTask, the same object becomes the task, and no second object is made. See "Tasks
// and coroutines" in docs/architecture.md.
public abstract partial class AioTask : IFutureListener
{
    private const int CoroutineStateShift = 3;
    private const int CoroutineStateMask = 3 << CoroutineStateShift;
    private const int IsTaskBit = 1 << 5;
    private const int AwaitsStartedOperationBit = 1 << 6;

    /// <summary>
    /// Set once any loop was put in debug mode: a cheap first check, so that coroutines made outside debug
    /// mode never pay for the thread-static read below.
    /// </summary>
    internal static volatile bool s_trackNeverAwaited;

    /// <summary>A coroutine frame, made by calling an <c>async Coroutine</c> method (not a task yet).</summary>
    private protected AioTask()
    {
        // Watched for never being awaited: coroutines made while a debug-mode loop runs on this thread, or
        // every coroutine when AIO_DEBUG=1. The report is a finalizable object, hence debug mode only.
        if (s_trackNeverAwaited)
        {
            EventLoop? loop = EventLoop.RunningOrNull;
            if (LoopDefaults.DebugFromEnvironment || loop is { Debug: true }) FrameLink = new NeverAwaitedReport(this, loop);
        }
    }

    /// <summary>Where the coroutine is in its life.</summary>
    internal CoroutineState CoroutineState
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (CoroutineState)((_bits & CoroutineStateMask) >> CoroutineStateShift);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        set => _bits = (_bits & ~CoroutineStateMask) | ((int)value << CoroutineStateShift);
    }

    /// <summary>True once this object is a task (its coroutine is the task's root), false for a frame awaited inline.</summary>
    internal bool IsTask => (_bits & IsTaskBit) != 0;

    /// <summary>
    /// Set on a coroutine made to await an operation that started before it (a queue get, a .NET task; see
    /// <see cref="OperationCoroutines"/>): a task cancelled before its first step still runs it, so that a
    /// waiting operation is withdrawn and a finished one is consumed, and keeps the result of an operation
    /// that had completed, since cancelling cannot undo it.
    /// </summary>
    internal bool AwaitsStartedOperation
    {
        get => (_bits & AwaitsStartedOperationBit) != 0;
        set => _bits = value ? _bits | AwaitsStartedOperationBit : _bits & ~AwaitsStartedOperationBit;
    }

    /// <summary>
    /// A frame's link while it is not a task, kept in the future's callback slot (unused until a task has
    /// listeners): before it starts, in debug mode, the <see cref="NeverAwaitedReport"/>; while it runs inline, who
    /// resumes when it completes (the awaiting parent frame, or an <see cref="Action"/> of a foreign async method).
    /// </summary>
    private object? FrameLink
    {
        get => _callbacks;
        set => _callbacks = value;
    }

    /// <summary>The task this frame runs in: itself for a task's root, the awaiting task for a frame awaited inline.</summary>
    internal AioTask Owner
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => IsTask ? this : Unsafe.As<AioTask>(_contextOrExtras)!;
    }

    /// <summary>Runs the body up to its next await (or to its end).</summary>
    internal abstract void MoveNext();

    /// <summary>The method's name, for reprs and reports (asyncio: <c>__qualname__</c>).</summary>
    internal abstract string CoroutineName { get; }

    /// <summary>True if a suspended <typeparamref name="TAwaiter"/> of this coroutine's state machine can be replaced.</summary>
    internal abstract bool CanReplaceAwaiter<TAwaiter>();

    /// <summary>Replaces the suspended awaiter of type <typeparamref name="TAwaiter"/> (see <see cref="ForeignAwait"/>).</summary>
    internal abstract void ReplaceAwaiter<TAwaiter>(TAwaiter awaiter);

    /// <summary>This coroutine as one without a result, for APIs that take any coroutine.</summary>
    internal abstract Coroutine<VoidResult> AsVoid();

    /// <summary>
    /// Takes the coroutine for one await or one task: asyncio allows each coroutine to run once.
    /// </summary>
    /// <exception cref="InvalidOperationException">It was awaited or scheduled before.</exception>
    internal void Claim()
    {
        if (CoroutineState != CoroutineState.Created)
        {
            throw new InvalidOperationException(CoroutineState == CoroutineState.Completed
                ? "cannot reuse already awaited coroutine"
                : "coroutine is being awaited already");
        }
        CoroutineState = CoroutineState.Claimed;
        if (FrameLink is NeverAwaitedReport report)
        {
            GC.SuppressFinalize(report);
            FrameLink = null;
        }
    }

    /// <summary>Closes a coroutine nobody has taken yet without running it (asyncio: <c>coro.close()</c>).</summary>
    internal void CloseIfUnclaimed()
    {
        if (CoroutineState != CoroutineState.Created) return;
        Claim();
        CoroutineState = CoroutineState.Completed;
    }

    /// <summary>
    /// Makes this unclaimed coroutine a task on <paramref name="loop"/> and schedules its first step: the same
    /// object, from now on a future too.
    /// </summary>
    /// <exception cref="InvalidOperationException">It was awaited or scheduled before.</exception>
    internal void BecomeTask(EventLoop loop, string? name)
    {
        Claim();
        _loop = loop;
        _bits |= IsTaskBit;
        _taskNumber = Interlocked.Increment(ref s_nameCounter);
        ExecutionContext? context = ExecutionContext.Capture();
        _contextOrExtras = name is null ? context : new TaskExtras { Name = name, Context = context };
        loop.RegisterTask(this);
        loop.EnqueueReady(s_firstStep, this, null);
    }

    /// <summary>Starts this claimed coroutine as the child of <paramref name="parent"/>, in its task.</summary>
    internal void StartAsChildOf(AioTask parent)
    {
        AioTask task = parent.Owner;
        StartIn(task, parent);
        task._loop.HandOver(this);
    }

    /// <summary>
    /// Starts this claimed coroutine as the root of a chain that runs in <paramref name="task"/> but does not complete
    /// into an awaiting frame: <paramref name="link"/> is told when it completes (a greenlet's body).
    /// </summary>
    internal void StartLinkedIn(AioTask task, IFrameLink link)
    {
        StartIn(task, link);
        task._loop.HandOver(this);
    }

    /// <summary>
    /// Moves a suspended chain of frames, from this innermost one up to the root that completes into an
    /// <see cref="IFrameLink"/>, to run in <paramref name="task"/> from now on (a greenlet finalised in a task of its own).
    /// </summary>
    internal void MoveChainTo(AioTask task)
    {
        for (AioTask frame = this; ; frame = (AioTask)frame.FrameLink!)
        {
            Debug.Assert(!frame.IsTask && frame.CoroutineState == CoroutineState.Running);
            frame._contextOrExtras = task;
            if (frame.FrameLink is not AioTask) return;
        }
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
                $"The coroutine '{CoroutineName}' was awaited outside a task. A coroutine runs inside a task on an event loop: " +
                "start it with Aio.Run, loop.RunUntilComplete or Aio.CreateTask, or await it from another coroutine.");
        }
        StartIn(task, continuation);
        loop!.RunCoroutines(this);
    }

    /// <summary>Marks this claimed frame running in <paramref name="task"/>, resuming <paramref name="link"/> when it completes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StartIn(AioTask task, object link)
    {
        Debug.Assert(CoroutineState == CoroutineState.Claimed && !IsTask);
        _contextOrExtras = task;
        FrameLink = link;
        CoroutineState = CoroutineState.Running;
    }

    /// <summary>The exception the body of a frame awaited inline threw, once completed; null otherwise.</summary>
    internal Exception? FrameError => !IsTask && CoroutineState == CoroutineState.Completed ? _outcome as Exception : null;

    /// <summary>The body returned: marks it finished and resumes whoever waits for it.</summary>
    internal void CompleteFrame() => CompleteFrame(null);

    /// <summary>The body threw <paramref name="error"/>: marks it finished and resumes whoever waits for it.</summary>
    internal void CompleteFrame(Exception? error)
    {
        CoroutineState = CoroutineState.Completed;
        if (IsTask)
        {
            OnRootCompleted(error);
            return;
        }
        object? continuation = FrameLink;
        FrameLink = null;
        _outcome = error;
        switch (continuation)
        {
            case AioTask parent: Owner._loop.HandOver(parent); break;
            case Action foreign: foreign(); break;
            case IFrameLink link: link.OnFrameCompleted(this); break;
        }
    }

    /// <summary>Rethrows the exception of a frame awaited inline, if any, keeping its stack trace.</summary>
    internal void RethrowFrameError()
    {
        if (FrameError is { } error) ExceptionDispatchInfo.Throw(error);
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
                Owner.SuspendOnFuture(this, Unsafe.As<TAwaiter, Future>(ref awaiter));
                break;
            case AwaiterKinds.Coroutine:
                Unsafe.As<TAwaiter, AioTask>(ref awaiter).StartAsChildOf(this);
                break;
            case AwaiterKinds.Sleep:
                Owner.SuspendOnSleep(this, Unsafe.As<TAwaiter, SleepAwaiter>(ref awaiter).Delay);
                break;
            case AwaiterKinds.Switch:
                Greenlets.Greenlet.SwitchFrom(this, in Unsafe.As<TAwaiter, Greenlets.GreenletSwitchAwaiter>(ref awaiter));
                break;
            case AwaiterKinds.Primitive:
                // Read in place, as the awaiter's first field (checked by AwaiterKind): a cast to the interface
                // would box the awaiter on every wait.
                object source = Unsafe.As<TAwaiter, object>(ref awaiter);
                if (source is AioTask child)
                {
                    child.StartAsChildOf(this);
                }
                else
                {
                    Debug.Assert(source is Waiter, "a primitive's awaiter waits for a coroutine or a waiter");
                    Owner.SuspendOnFuture(this, Unsafe.As<Waiter>(source));
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
        Owner.SuspendOnForeign(foreign);
        return foreign.OnCompleted;
    }

    /// <summary>The future this frame awaited is done: resume the frame in its task.</summary>
    void IFutureListener.OnFutureDone(Future future) => Owner.Step(this, resumedFromLoopAwait: true);

    /// <summary>The repr of the coroutine (not of the task): <c>&lt;coroutine Name state&gt;</c>.</summary>
    internal string CoroutineRepr() => $"<coroutine {CoroutineName} {CoroutineState.ToString().ToLowerInvariant()}>";
}

/// <summary>Told when a coroutine started with <see cref="AioTask.StartLinkedIn"/> completes (on the loop, inside the step).</summary>
internal interface IFrameLink
{
    /// <summary>The coroutine <paramref name="frame"/> returned or threw (its outcome is in the frame).</summary>
    void OnFrameCompleted(AioTask frame);
}

/// <summary>Reports, when collected, a coroutine that was created but never awaited (debug mode only).</summary>
internal sealed class NeverAwaitedReport
{
    private readonly AioTask _coroutine;
    private readonly EventLoop? _loop;

    public NeverAwaitedReport(AioTask coroutine, EventLoop? loop)
    {
        _coroutine = coroutine;
        _loop = loop;
    }

    ~NeverAwaitedReport()
    {
        var context = new ExceptionContext($"coroutine '{_coroutine.CoroutineName}' was never awaited");
        if (_loop is not null) _loop.CallExceptionHandlerFromAnyThread(context);
        else EventLoop.WriteToStandardError(context);
    }
}
