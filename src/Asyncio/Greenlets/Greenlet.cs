using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Asyncio.Greenlets;

/// <summary>
/// A greenlet: a body that runs until it explicitly switches to another greenlet, and resumes where it left off
/// when something switches back to it. Switching is immediate and synchronous (no trip through the loop): the
/// switching greenlet's whole chain of awaited coroutines stays suspended, at any depth, and the target's chain
/// resumes on the same thread.
/// <para>greenlet: <c>greenlet.greenlet(run, parent)</c>.</para>
/// </summary>
/// <remarks>
/// <para>A greenlet's body is a coroutine (<c>Func&lt;object?, Coroutine&lt;object?&gt;&gt;</c>), and a switch is
/// an await: <c>object? back = await other.Switch(value)</c>. Greenlets live inside a task: the task's own code
/// runs in its implicit main greenlet (<see cref="Current"/> outside any started greenlet), and a greenlet runs in
/// the task that first switches into it; switching to a greenlet of another task, thread or loop is an error, as
/// greenlet refuses switches across threads.</para>
/// <para>Awaiting anything other than a switch inside a greenlet (a future, a sleep, a .NET task) suspends the
/// whole task with that greenlet current, as a blocking call would block greenlet's thread: the loop runs other
/// tasks meanwhile. gevent's model (<c>Gevent</c>) builds's model on that.</para>
/// <para>Not thread-safe: use a greenlet only on the loop thread, inside its task.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed partial class Greenlet : IFrameLink
{
    /// <summary>The body; null for a task's main greenlet.</summary>
    private readonly Func<object?, Coroutine<object?>>? _run;

    /// <summary>Where the value or exception goes when this greenlet ends; null only for a task's main greenlet.</summary>
    private Greenlet? _parent;

    /// <summary>The task this greenlet runs in: set when it starts (a main greenlet's is its task).</summary>
    private AioTask? _task;

    /// <summary>While suspended: the innermost coroutine of its chain, the one that awaited the switch.</summary>
    private AioTask? _resumeFrame;

    private GreenletState _state;

    /// <summary>
    /// Made when the greenlet first suspends at a switch: finalised once nothing can reach the greenlet any more, it
    /// has <see cref="GreenletExit"/> thrown into it so that its <c>finally</c> blocks run (greenlet does this when a
    /// suspended greenlet is collected).
    /// </summary>
    private GreenletReaper? _reaper;

    /// <summary>What the switch that resumes this greenlet passes: a value, or an exception to throw at its await.</summary>
    private object? _incoming;
    private Exception? _incomingError;

    private enum GreenletState : byte
    {
        NotStarted,
        Running,
        Suspended,
        Dead,
    }

    /// <summary>
    /// A greenlet that will run <paramref name="run"/> when first switched to, with the value of that switch.
    /// <para>greenlet: <c>greenlet(run, parent)</c>.</para>
    /// </summary>
    /// <param name="run">The body: returns the value passed to the parent when it ends.</param>
    /// <param name="parent">Where the body's value or exception goes; null for the greenlet current now (or, made
    /// outside any task, the greenlet that first switches into it).</param>
    public Greenlet(Func<object?, Coroutine<object?>> run, Greenlet? parent = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        _run = run;
        _parent = parent ?? CurrentOrNull();
    }

    /// <summary>A task's implicit main greenlet: the task's own code.</summary>
    private Greenlet(AioTask task)
    {
        _task = task;
        _state = GreenletState.Running;
    }

    /// <summary>
    /// The greenlet running now: the one the current task switched into, or the task's main greenlet.
    /// <para>greenlet: <c>greenlet.getcurrent()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">No task is running on this thread.</exception>
    public static Greenlet Current => CurrentOf(RunningTask());

    /// <summary>
    /// Where the value or exception goes when this greenlet ends (null for a task's main greenlet). Settable to
    /// another greenlet of the same task, never to null or so that the chain of parents loops.
    /// <para>greenlet: <c>greenlet.parent</c>.</para>
    /// </summary>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    /// <exception cref="ArgumentException">The new parent's chain leads back to this greenlet (greenlet's "cyclic
    /// parent chain"), or it runs in another task.</exception>
    public Greenlet? Parent
    {
        get => _parent;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            for (Greenlet? g = value; g is not null; g = g._parent)
            {
                if (ReferenceEquals(g, this)) throw new ArgumentException("cyclic parent chain", nameof(value));
            }
            if (_task is not null && value._task is not null && !ReferenceEquals(_task, value._task))
            {
                throw new ArgumentException("parent cannot be a greenlet of another task", nameof(value));
            }
            _parent = value;
        }
    }

    /// <summary>True once the body returned or threw (greenlet: <c>dead</c>). A greenlet not started yet is not dead.</summary>
    public bool IsDead => _state == GreenletState.Dead;

    /// <summary>True if the greenlet started and is not dead (greenlet: <c>bool(g)</c>).</summary>
    public bool IsActive => _state is GreenletState.Running or GreenletState.Suspended;

    /// <summary>True for a task's implicit main greenlet (greenlet: the thread's main greenlet).</summary>
    public bool IsMain => _run is null;

    /// <summary>
    /// Switches to this greenlet, passing <paramref name="value"/>: the first switch starts the body with it, a later
    /// one makes the greenlet's own pending switch return it. The await returns the value of the switch that comes
    /// back to the current greenlet (or of a greenlet that ended with this one as its parent). A dead greenlet
    /// passes the switch on to its parent.
    /// <para>greenlet: <c>g.switch(value)</c>.</para>
    /// </summary>
    /// <param name="value">What the target receives.</param>
    public GreenletSwitch Switch(object? value = null) => new(this, value, null);

    /// <summary>
    /// Switches to this greenlet and throws <paramref name="exception"/> at its pending switch (a greenlet not
    /// started yet dies at once, its parent receiving the exception). <see cref="GreenletExit"/>, the default, ends
    /// the greenlet quietly: its parent receives the exception as a value.
    /// <para>greenlet: <c>g.throw(exc)</c>.</para>
    /// </summary>
    /// <param name="exception">What to throw; a new <see cref="GreenletExit"/> when null.</param>
    public GreenletSwitch Throw(Exception? exception = null) => new(this, null, exception ?? new GreenletExit());

    /// <inheritdoc/>
    public override string ToString()
    {
        string state = IsMain ? "main" : _state switch
        {
            GreenletState.NotStarted => "pending",
            GreenletState.Dead => "dead",
            GreenletState.Running => "current active",
            _ => "suspended active",
        };
        return $"<Greenlet {(_run is null ? "main" : _run.Method.Name)} {state}>";
    }

    /// <summary>The task running on this thread's loop, or a clear error.</summary>
    internal static AioTask RunningTask() =>
        EventLoop.RunningOrNull?.CurrentTask
        ?? throw new InvalidOperationException("Greenlets run inside a task: switch from a coroutine running on the event loop's thread.");

    /// <summary>The current greenlet of <paramref name="task"/>, making its main greenlet on first use.</summary>
    internal static Greenlet CurrentOf(AioTask task) => task.CurrentGreenlet ??= new Greenlet(task);

    private static Greenlet? CurrentOrNull() => EventLoop.RunningOrNull?.CurrentTask is { } task ? CurrentOf(task) : null;

    /// <summary>Checks, at the <c>await</c>, that a switch to <paramref name="target"/> can happen from here.</summary>
    internal static void CheckSwitch(Greenlet target)
    {
        AioTask task = RunningTask();
        if (target._task is not null && !ReferenceEquals(target._task, task))
        {
            throw new InvalidOperationException(
                $"cannot switch to {target}: it runs in another task ({target._task}); greenlets switch only inside their own task and thread");
        }
    }

    /// <summary>
    /// The switch (<see cref="AwaiterKinds.Switch"/>): suspends the current greenlet at <paramref name="frame"/>, its
    /// innermost coroutine, and hands the task over to the target's chain (called by the builder, inside the step).
    /// </summary>
    internal static void SwitchFrom(AioTask frame, in GreenletSwitchAwaiter awaiter)
    {
        AioTask task = frame.Owner;
        Greenlet current = CurrentOf(task);
        current._resumeFrame = frame;
        current._state = GreenletState.Suspended;
        if (current._reaper is null && !current.IsMain) current._reaper = new GreenletReaper(current);
        GreenletSwitch request = awaiter.Switch;
        Transfer(task, current, request.Target, request.Value, request.Error);
    }

    /// <summary>
    /// Gives the task to <paramref name="target"/> with a value or an exception: resumes its suspended chain, starts
    /// its body, or, for a dead greenlet (or an unstarted one given an exception, which dies of it), passes the
    /// switch on to its parent.
    /// </summary>
    private static void Transfer(AioTask task, Greenlet from, Greenlet target, object? value, Exception? error)
    {
        while (true)
        {
            switch (target._state)
            {
                case GreenletState.Dead:
                    target = target._parent!;
                    continue;
                case GreenletState.NotStarted when error is not null:
                    // greenlet: an exception thrown into a greenlet that never ran kills it at once.
                    target._task = task;
                    target._parent ??= from;
                    target.Die(ref value, ref error);
                    target = target._parent;
                    continue;
                case GreenletState.NotStarted:
                    if (target.TryStart(task, from, ref value, out error)) return;
                    target = target._parent!;
                    continue;
                default:
                    target.Resume(task, value, error);
                    return;
            }
        }
    }

    /// <summary>
    /// Starts the body in <paramref name="task"/>; false if making its coroutine failed, the greenlet then dead of
    /// that error, with what its parent receives in <paramref name="value"/> and <paramref name="error"/>.
    /// </summary>
    private bool TryStart(AioTask task, Greenlet from, ref object? value, out Exception? error)
    {
        _task = task;
        _parent ??= from;
        _state = GreenletState.Running;
        task.CurrentGreenlet = this;
        try
        {
            AioTask body = _run!(value).Frame;
            body.Claim();
            body.StartLinkedIn(task, this);
            error = null;
            return true;
        }
        catch (Exception e)
        {
            // The body could not even be made (the function threw, or returned a used coroutine): it died of that.
            error = e;
            Die(ref value, ref error);
            return false;
        }
    }

    private void Resume(AioTask task, object? value, Exception? error)
    {
        Debug.Assert(_state == GreenletState.Suspended && _resumeFrame is not null);
        _incoming = value;
        _incomingError = error;
        _state = GreenletState.Running;
        task.CurrentGreenlet = this;
        AioTask frame = _resumeFrame!;
        _resumeFrame = null;
        task._loop.HandOver(frame);
    }

    /// <summary>
    /// Called by the finaliser of <see cref="_reaper"/> (any thread) when nothing refers to this suspended greenlet:
    /// posts to its loop a task that throws <see cref="GreenletExit"/> into it, so its <c>finally</c> blocks run. The
    /// greenlet's chain moves to that task (its own may have ended); whatever the greenlet ends with is dropped, an
    /// exception other than <see cref="GreenletExit"/> being reported to the loop's exception handler.
    /// </summary>
    internal void Reap()
    {
        if (_state != GreenletState.Suspended || _task is null || _task.Loop.IsClosed) return;
        try
        {
            _task.Loop.CallSoonThreadsafe(() => _ = _task.Loop.CreateTask(Finalise()));
        }
        catch (InvalidOperationException)
        {
            // The loop closed meanwhile: nothing can run the greenlet's finally blocks any more.
        }
    }

    /// <summary>The finalising task: adopts the greenlet's chain and throws <see cref="GreenletExit"/> into it.</summary>
    private async Coroutine Finalise()
    {
        if (_state != GreenletState.Suspended) return;
        AioTask task = RunningTask();
        Greenlet main = CurrentOf(task);
        _resumeFrame!.MoveChainTo(task);
        _task = task;
        _parent = main;
        try
        {
            await Throw(new GreenletExit());
        }
        catch (Exception error) when (error is not CancelledError)
        {
            task.Loop.CallExceptionHandler(new ExceptionContext($"Exception ignored while finalising {this}") { Exception = error, Task = task });
        }
    }

    /// <summary>What the switch that resumed this greenlet passed (its exception thrown), taken once.</summary>
    internal object? TakeIncoming()
    {
        object? value = _incoming;
        Exception? error = _incomingError;
        _incoming = null;
        _incomingError = null;
        if (error is not null) ExceptionDispatchInfo.Throw(error);
        return value;
    }

    /// <summary>The body ended: the greenlet dies, and its value (or exception) goes to its parent.</summary>
    void IFrameLink.OnFrameCompleted(AioTask frame)
    {
        Exception? error = frame.FrameError;
        object? value = error is null ? Unsafe.As<AioTask<object?>>(frame).FrameResult() : null;
        Die(ref value, ref error);
        Transfer(_task!, this, _parent!, value, error);
    }

    /// <summary>
    /// Marks the greenlet dead of <paramref name="error"/> (or with <paramref name="value"/>) and turns that into what
    /// its parent receives: <see cref="GreenletExit"/> ends a greenlet quietly, the parent receiving the exception
    /// object as a value (greenlet's rule).
    /// </summary>
    private void Die(ref object? value, ref Exception? error)
    {
        _state = GreenletState.Dead;
        if (_reaper is not null)
        {
            GC.SuppressFinalize(_reaper);
            _reaper = null;
        }
        if (error is GreenletExit exit)
        {
            value = exit;
            error = null;
        }
    }
}

/// <summary>Finalises a suspended greenlet nothing refers to any more (see <see cref="Greenlet"/>).</summary>
internal sealed class GreenletReaper
{
    private readonly Greenlet _greenlet;

    public GreenletReaper(Greenlet greenlet) => _greenlet = greenlet;

    ~GreenletReaper() => _greenlet.Reap();
}

/// <summary>
/// A switch to a greenlet, to await (<c>await g.Switch(v)</c>, <c>await g.Throw(e)</c>).
/// <para>greenlet: <c>g.switch(...)</c> / <c>g.throw(...)</c>.</para>
/// </summary>
public readonly struct GreenletSwitch
{
    internal readonly Greenlet Target;
    internal readonly object? Value;
    internal readonly Exception? Error;

    internal GreenletSwitch(Greenlet target, object? value, Exception? error)
    {
        Target = target;
        Value = value;
        Error = error;
    }

    /// <summary>The awaiter.</summary>
    public GreenletSwitchAwaiter GetAwaiter() =>
        Target is null ? throw new InvalidOperationException("default(GreenletSwitch) switches nowhere") : new(this);
}

/// <summary>Awaiter of a <see cref="GreenletSwitch"/>: the coroutine builder hands the task over to the target.</summary>
public readonly struct GreenletSwitchAwaiter : ICriticalNotifyCompletion
{
    /// <summary>The switch: its target, and the value or exception it passes.</summary>
    internal readonly GreenletSwitch Switch;

    internal GreenletSwitchAwaiter(GreenletSwitch greenletSwitch) => Switch = greenletSwitch;

    /// <summary>Always false (a switch always suspends the current greenlet); checks first that the switch is allowed.</summary>
    /// <exception cref="InvalidOperationException">No task runs here, or the target belongs to another task.</exception>
    public bool IsCompleted
    {
        get
        {
            Greenlet.CheckSwitch(Switch.Target);
            return false;
        }
    }

    /// <summary>The value the switch back to this greenlet passed, or its exception thrown.</summary>
    /// <exception cref="NotSupportedException">The switch was awaited outside a coroutine (see <see cref="OnCompleted"/>).</exception>
    public object? GetResult() =>
        EventLoop.RunningOrNull?.CurrentTask is { } task ? Greenlet.CurrentOf(task).TakeIncoming() : throw ForeignAwaitError();

    /// <summary>
    /// Not supported: a switch suspends a chain of coroutines, so it is awaited from an <c>async Coroutine</c> method.
    /// Awaited elsewhere (an <c>async Task</c> method), the await resumes on the loop with <see cref="NotSupportedException"/>.
    /// </summary>
    public void OnCompleted(Action continuation) => RefuseForeignAwait(continuation);

    /// <inheritdoc cref="OnCompleted"/>
    public void UnsafeOnCompleted(Action continuation) => RefuseForeignAwait(continuation);

    /// <summary>Resumes the foreign method on the loop, outside any task: its <see cref="GetResult"/> then throws.</summary>
    private static void RefuseForeignAwait(Action continuation) => Greenlet.RunningTask().Loop.CallSoon(continuation);

    private static NotSupportedException ForeignAwaitError() => new(
        "A greenlet switch suspends a chain of coroutines: await it in an async Coroutine method, not in an async Task or other async method.");
}

/// <summary>
/// Thrown into a greenlet to end it quietly: a greenlet that ends with it passes the exception object to its parent
/// as a value instead of raising it there.
/// <para>greenlet: <c>greenlet.GreenletExit</c>.</para>
/// </summary>
public class GreenletExit : Exception
{
    /// <summary>A greenlet exit without a message.</summary>
    public GreenletExit() : base("GreenletExit") { }

    /// <summary>A greenlet exit with a message.</summary>
    public GreenletExit(string? message) : base(message) { }

    /// <summary>A greenlet exit with a message and an inner exception.</summary>
    public GreenletExit(string? message, Exception? innerException) : base(message, innerException) { }
}
