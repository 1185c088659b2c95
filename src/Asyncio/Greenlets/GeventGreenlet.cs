using System.Diagnostics;

namespace Asyncio.Greenlets;

/// <summary>
/// A greenlet spawned the gevent way (<see cref="Gevent.Spawn"/>): it runs in a task of its own, started on the
/// next loop iteration, so that whatever it awaits (a sleep, a future, a stream, a .NET task) parks only it while
/// the loop, gevent's hub, runs the others. Once dead it holds its <see cref="Value"/> or its
/// <see cref="Exception"/>.
/// <para>gevent: <c>gevent.Greenlet</c> (what <c>gevent.spawn</c> returns).</para>
/// </summary>
/// <remarks>
/// <para>gevent's <c>Greenlet</c> is a greenlet whose parent is the hub. Here the hub is the loop, which is no
/// greenlet: the body runs as its task's main greenlet (<see cref="Greenlet.Current"/> inside it is
/// <see cref="Greenlet.IsMain"/>, with no <see cref="Greenlet.Parent"/>). It can make greenlets of its own and switch
/// among them inside its task; a switch to a greenlet of another spawned greenlet is refused, as it runs in another
/// task.</para>
/// <para>Killing delivers the kill's exception (<see cref="GreenletExit"/> by default) at the body's pending await:
/// gevent's own waits (<see cref="Gevent.Sleep"/>, <see cref="JoinAsync"/>, <see cref="Gevent.Wait"/>, ...) throw
/// it as is; any other await (a future, a stream read) is interrupted by cancelling the task, so there it surfaces
/// as <see cref="CancelledError"/>, which the greenlet's end turns back into the kill.</para>
/// <para>Use on the loop thread only.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class GeventGreenlet
{
    /// <summary>
    /// Kills requested and not yet delivered, by the task of the greenlet, on this loop thread. Kept aside rather
    /// than in a field: a kill is rare, and every greenlet's bytes count when thousands are alive.
    /// </summary>
    [ThreadStatic]
    private static Dictionary<AioTask, Exception>? t_pendingKills;

    private static Dictionary<AioTask, Exception> PendingKills => t_pendingKills ??= [];

    /// <summary>The body and its argument.</summary>
    private readonly Func<object?, Coroutine<object?>> _run;
    private readonly object? _arg;

    /// <summary>The task the greenlet runs in; its root coroutine runs the body inline.</summary>
    private readonly AioTask<object?> _task;

    /// <summary>Set when the task's first step runs: a kill before it needs no delivery.</summary>
    private bool _started;

    private bool _dead;
    private object? _value;
    private Exception? _exception;

    /// <summary>
    /// Called once when the greenlet dies (gevent's <c>rawlink</c>): the waits of <see cref="Gevent"/>. One listener is
    /// kept as is and more in a list, since most greenlets have one joiner at most.
    /// </summary>
    private object? _deathListeners;

    internal GeventGreenlet(Func<object?, Coroutine<object?>> run, object? arg)
    {
        _run = run;
        _arg = arg;
        _task = Aio.CreateTask(RunAsync());
    }

    /// <summary>The task the greenlet runs in: a <see cref="Future"/> done when the greenlet is dead (or, killed before it started, soon after).</summary>
    public AioTask<object?> Task => _task;

    /// <summary>
    /// What the body returned, once dead and successful; for a greenlet killed with <see cref="GreenletExit"/>, that
    /// exception object. Null until then and after a failure.
    /// <para>gevent: <c>Greenlet.value</c>.</para>
    /// </summary>
    public object? Value => _value;

    /// <summary>
    /// The exception the body died of (or the kill's, other than <see cref="GreenletExit"/>); null until dead and
    /// after a success.
    /// <para>gevent: <c>Greenlet.exception</c>.</para>
    /// </summary>
    public Exception? Exception => _exception;

    /// <summary>
    /// True once the body returned or died, or the greenlet was killed (at once for one that had not started).
    /// <para>gevent: <c>Greenlet.dead</c> (and <c>ready()</c>).</para>
    /// </summary>
    public bool IsDead => _dead;

    /// <summary>
    /// True once dead without an exception (a greenlet killed with <see cref="GreenletExit"/> is successful).
    /// <para>gevent: <c>Greenlet.successful()</c>.</para>
    /// </summary>
    public bool IsSuccessful => _dead && _exception is null;

    /// <summary>
    /// Kills the greenlet without waiting: one not started yet dies now and never runs; a running one receives
    /// <paramref name="exception"/> at its pending await (see the remarks on <see cref="GeventGreenlet"/>); a dead one
    /// is left alone. A body may catch the exception and go on; one that lets <see cref="GreenletExit"/> escape dies
    /// successful, with the exception as its <see cref="Value"/>.
    /// <para>gevent: <c>Greenlet.kill(exception, block=False)</c>; <see cref="KillAsync"/> is the blocking default.</para>
    /// </summary>
    /// <param name="exception">What to throw; a new <see cref="GreenletExit"/> when null.</param>
    public void Kill(Exception? exception = null)
    {
        exception ??= new GreenletExit();
        if (_dead) return;
        if (!_started)
        {
            // The first step then runs nothing of the root coroutine.
            _task.Cancel();
            Die(exception);
            return;
        }
        // Cancel first: in debug mode it refuses a call from another thread, before anything is recorded.
        _task.Cancel();
        PendingKills[_task] = exception;
    }

    /// <summary>
    /// Kills the greenlet (<see cref="Kill"/>) and waits until it is dead, or until <paramref name="timeout"/> seconds
    /// have passed. Returns true if it is dead.
    /// <para>gevent: <c>Greenlet.kill(exception, block=True, timeout)</c>.</para>
    /// </summary>
    /// <param name="exception">What to throw; a new <see cref="GreenletExit"/> when null.</param>
    /// <param name="timeout">Seconds to wait at most; null waits as long as it takes.</param>
    public Coroutine<bool> KillAsync(Exception? exception = null, double? timeout = null)
    {
        Kill(exception);
        return JoinAsync(timeout);
    }

    /// <summary>
    /// Waits until the greenlet is dead or <paramref name="timeout"/> seconds have passed; returns true if it is
    /// dead. Never throws the greenlet's exception (<see cref="GetAsync"/> does).
    /// <para>gevent: <c>Greenlet.join(timeout)</c>.</para>
    /// </summary>
    /// <param name="timeout">Seconds to wait at most; null waits as long as it takes.</param>
    public async Coroutine<bool> JoinAsync(double? timeout = null)
    {
        if (_dead) return true;
        await Gevent.Wait([this], timeout);
        return _dead;
    }

    /// <summary>
    /// Waits until the greenlet is dead and returns its <see cref="Value"/>, or throws its <see cref="Exception"/>.
    /// <para>gevent: <c>Greenlet.get(block=True, timeout)</c>.</para>
    /// </summary>
    /// <param name="timeout">Seconds to wait at most; null waits as long as it takes.</param>
    /// <exception cref="GeventTimeout">Still alive after <paramref name="timeout"/> seconds.</exception>
    public async Coroutine<object?> GetAsync(double? timeout = null)
    {
        if (!await JoinAsync(timeout)) throw new GeventTimeout(timeout);
        if (_exception is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_exception);
        return _value;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string name = FunctionName(_run.Method.Name);
        string arg = _arg is string text ? $"'{text}'" : PyRepr.Value(_arg);
        // gevent shows the greenlet's address; the task's name tells greenlets apart here.
        return $"<Greenlet in {_task.Name}: {name}({arg})>";
    }

    /// <summary>
    /// The function's name as Python would show it: a local function's own name (the compiler calls it
    /// <c>&lt;Outer&gt;g__Name|0_1</c>), <c>&lt;lambda&gt;</c> for a lambda.
    /// </summary>
    private static string FunctionName(string compiled)
    {
        if (!compiled.StartsWith('<')) return compiled;
        int start = compiled.IndexOf("g__", StringComparison.Ordinal);
        int end = compiled.IndexOf('|', Math.Max(start, 0));
        return start >= 0 && end > start ? compiled[(start + 3)..end] : "<lambda>";
    }

    /// <summary>Calls <paramref name="listener"/> when the greenlet dies (at once if it is dead).</summary>
    internal void AddDeathListener(Action<GeventGreenlet> listener)
    {
        if (_dead) listener(this);
        else if (_deathListeners is null) _deathListeners = listener;
        else if (_deathListeners is List<Action<GeventGreenlet>> list) list.Add(listener);
        else _deathListeners = new List<Action<GeventGreenlet>> { (Action<GeventGreenlet>)_deathListeners, listener };
    }

    internal void RemoveDeathListener(Action<GeventGreenlet> listener)
    {
        if (ReferenceEquals(_deathListeners, listener)) _deathListeners = null;
        else if (_deathListeners is List<Action<GeventGreenlet>> list) list.Remove(listener);
    }

    /// <summary>
    /// The kill pending for the greenlet whose task runs now, taken once: gevent's waits throw it in place of the
    /// <see cref="CancelledError"/> the kill's cancellation delivered.
    /// </summary>
    internal static Exception? TakeCurrentKill()
    {
        if (t_pendingKills is not { Count: > 0 } kills || EventLoop.RunningOrNull?.CurrentTask is not { } task) return null;
        if (!kills.Remove(task, out Exception? kill)) return null;
        // The cancellation that carried the kill is spent: withdrawn, so that asyncio's timeouts count right.
        task.Uncancel();
        return kill;
    }

    /// <summary>The task's root: runs the body inline and records how it ended.</summary>
    private async Coroutine<object?> RunAsync()
    {
        _started = true;
        try
        {
            Finish(await _run(_arg), null);
        }
        catch (CancelledError cancelled)
        {
            // A kill delivered at an await that is not gevent's own: the kill, not the cancellation, ends the greenlet.
            if (!PendingKills.Remove(_task, out Exception? kill))
            {
                // Cancelled by someone else (the loop shutting down, Task.Cancel): the task ends cancelled too.
                Finish(null, cancelled);
                throw;
            }
            _task.Uncancel();
            Die(kill);
        }
        catch (Exception error)
        {
            Die(error);
        }
        return _value;
    }

    /// <summary>Dead of <paramref name="error"/>: a <see cref="GreenletExit"/> is a success whose value it is; anything else is reported.</summary>
    private void Die(Exception error)
    {
        if (error is GreenletExit exit)
        {
            Finish(exit, null);
            return;
        }
        Finish(null, error);
        // gevent's hub prints "<Greenlet ...> failed with ValueError" with the traceback; here the loop's handler gets it.
        _task.Loop.CallExceptionHandler(new ExceptionContext($"{this} failed with {error.GetType().Name}")
        {
            Exception = error,
            Task = _task,
        });
    }

    /// <summary>Records the end and tells whoever waits for it.</summary>
    private void Finish(object? value, Exception? error)
    {
        Debug.Assert(!_dead, "a greenlet dies once");
        // A kill that came too late to be delivered dies with the greenlet.
        t_pendingKills?.Remove(_task);
        _value = value;
        _exception = error;
        _dead = true;
        object? listeners = _deathListeners;
        _deathListeners = null;
        if (listeners is Action<GeventGreenlet> one) one(this);
        else if (listeners is List<Action<GeventGreenlet>> list) list.ForEach(listener => listener(this));
    }
}
