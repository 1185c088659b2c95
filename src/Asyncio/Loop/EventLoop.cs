using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// A single-threaded event loop: runs callbacks, timers and task steps one at a time, in the order
/// asyncio defines. Everything else in the library is built on it.
/// <para>asyncio: <c>asyncio.AbstractEventLoop</c> / <c>BaseEventLoop</c>.</para>
/// </summary>
/// <remarks>
/// <para>Each iteration runs exactly the callbacks that were ready when it began; callbacks scheduled
/// meanwhile run in the next one. Timers become ready when an iteration finds them due, after the
/// callbacks already queued.</para>
/// <para>Not thread-safe, except <see cref="CallSoonThreadsafe(Action)"/>, <see cref="Stop"/> from a
/// callback, and <see cref="IsRunning"/>/<see cref="IsClosed"/>. In debug mode other members throw when
/// called from a thread other than the one running the loop.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed partial class EventLoop
{
    /// <summary>The loop running on this thread, if any (asyncio: <c>_running_loop</c>).</summary>
    [ThreadStatic] private static EventLoop? t_running;

    /// <summary>Callbacks ready to run.</summary>
    private readonly ReadyQueue _ready = new();

    /// <summary>Timers not yet due.</summary>
    private readonly TimerHeap _timers = new();

    /// <summary>Tasks not done yet, for <see cref="AllTasks"/> and <see cref="Close"/>.</summary>
    private readonly TaskRegistry _tasks = new();

    /// <summary>Set by <see cref="Stop"/>; checked after each iteration.</summary>
    private bool _stopping;

    /// <summary>Set by <see cref="Close"/>.</summary>
    private volatile bool _closed;

    /// <summary>Managed id of the thread running the loop; 0 when not running.</summary>
    private volatile int _threadId;

    /// <summary>Debug mode: slow-callback warnings, thread checks, never-awaited coroutine reports.</summary>
    private bool _debug;

    /// <summary>Creates a loop on the system clock. Usually obtained from <see cref="Aio.NewEventLoop(bool)"/>.</summary>
    public EventLoop() : this(TimeProvider.System) { }

    /// <summary>
    /// Creates a loop whose <see cref="Time"/> is read from <paramref name="timeProvider"/>. A
    /// <see cref="VirtualTimeProvider"/> makes the loop jump to the next timer whenever it is idle.
    /// </summary>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> for real time.</param>
    public EventLoop(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        TimeProvider = timeProvider;
        _virtualClock = timeProvider as VirtualTimeProvider;
        _systemClock = ReferenceEquals(timeProvider, TimeProvider.System);
        _tickSeconds = 1.0 / timeProvider.TimestampFrequency;
        _syncContext = new LoopSynchronizationContext(this);
        _debug = LoopDefaults.DebugFromEnvironment;
        if (_debug) AioTask.s_trackNeverAwaited = true;
    }

    /// <summary>The loop running on the calling thread, or null.</summary>
    internal static EventLoop? RunningOrNull => t_running;

    /// <summary>
    /// True while <see cref="RunForever"/> or <see cref="RunUntilComplete{T}(Coroutine{T})"/> runs.
    /// <para>asyncio: <c>loop.is_running()</c>.</para>
    /// </summary>
    public bool IsRunning => _threadId != 0;

    /// <summary>
    /// True once <see cref="Close"/> was called.
    /// <para>asyncio: <c>loop.is_closed()</c>.</para>
    /// </summary>
    public bool IsClosed => _closed;

    /// <summary>
    /// Debug mode: logs callbacks slower than <see cref="SlowCallbackDuration"/>, reports coroutines never
    /// awaited, and throws when loop objects are used from another thread.
    /// <para>asyncio: <c>loop.get_debug()</c> / <c>loop.set_debug()</c>.</para>
    /// </summary>
    public bool Debug
    {
        get => _debug;
        set
        {
            _debug = value;
            if (value) AioTask.s_trackNeverAwaited = true;
        }
    }

    /// <summary>
    /// In debug mode, a callback or task step running longer than this (seconds) is logged.
    /// <para>asyncio: <c>loop.slow_callback_duration</c> (default 0.1).</para>
    /// </summary>
    public double SlowCallbackDuration { get; set; } = 0.1;

    // ---------------------------------------------------------------- scheduling

    /// <summary>
    /// Schedules <paramref name="callback"/> to run in the next iteration, after those already scheduled.
    /// <para>asyncio: <c>loop.call_soon(callback)</c>.</para>
    /// </summary>
    /// <param name="callback">The callback; it runs in the <see cref="ExecutionContext"/> current now.</param>
    /// <returns>A handle that can cancel the call.</returns>
    /// <exception cref="InvalidOperationException">The loop is closed.</exception>
    public Handle CallSoon(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return CallSoonCore(s_invokeAction, callback, null);
    }

    /// <summary>
    /// Schedules <paramref name="callback"/>(<paramref name="state"/>) to run in the next iteration.
    /// <para>asyncio: <c>loop.call_soon(callback, *args)</c>.</para>
    /// </summary>
    /// <typeparam name="TState">The argument's type.</typeparam>
    /// <param name="callback">The callback; a static lambda keeps the call allocation-free.</param>
    /// <param name="state">Passed to the callback.</param>
    /// <returns>A handle that can cancel the call.</returns>
    /// <exception cref="InvalidOperationException">The loop is closed.</exception>
    public Handle CallSoon<TState>(Action<TState> callback, TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return CallSoonCore(StateInvoker<TState>.Value, callback, state);
    }

    /// <summary>
    /// Schedules <paramref name="callback"/> to run <paramref name="delay"/> seconds from now.
    /// <para>asyncio: <c>loop.call_later(delay, callback)</c>.</para>
    /// </summary>
    /// <param name="delay">Seconds; zero or negative means due at once (still after callbacks already queued).</param>
    /// <param name="callback">The callback.</param>
    /// <returns>The timer, which can be cancelled.</returns>
    /// <exception cref="ArgumentException"><paramref name="delay"/> is NaN.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed.</exception>
    public TimerHandle CallLater(double delay, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return ScheduleTimer(delay, s_invokeAction, callback, null, ExecutionContext.Capture());
    }

    /// <inheritdoc cref="CallLater(double, Action)"/>
    public TimerHandle CallLater(TimeSpan delay, Action callback) => CallLater(delay.TotalSeconds, callback);

    /// <summary>
    /// Schedules <paramref name="callback"/>(<paramref name="state"/>) to run <paramref name="delay"/> seconds from now.
    /// <para>asyncio: <c>loop.call_later(delay, callback, *args)</c>.</para>
    /// </summary>
    /// <typeparam name="TState">The argument's type.</typeparam>
    /// <param name="delay">Seconds from now.</param>
    /// <param name="callback">The callback.</param>
    /// <param name="state">Passed to the callback.</param>
    /// <returns>The timer, which can be cancelled.</returns>
    public TimerHandle CallLater<TState>(double delay, Action<TState> callback, TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return ScheduleTimer(delay, StateInvoker<TState>.Value, callback, state, ExecutionContext.Capture());
    }

    /// <summary>
    /// Schedules <paramref name="callback"/> to run at loop time <paramref name="when"/> (see <see cref="Time"/>).
    /// <para>asyncio: <c>loop.call_at(when, callback)</c>.</para>
    /// </summary>
    /// <param name="when">An absolute loop time in seconds.</param>
    /// <param name="callback">The callback.</param>
    /// <returns>The timer, which can be cancelled.</returns>
    /// <exception cref="ArgumentException"><paramref name="when"/> is NaN.</exception>
    public TimerHandle CallAt(double when, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return ScheduleTimerAt(when, s_invokeAction, callback, null, ExecutionContext.Capture());
    }

    /// <summary>
    /// Schedules <paramref name="callback"/>(<paramref name="state"/>) to run at loop time <paramref name="when"/>.
    /// <para>asyncio: <c>loop.call_at(when, callback, *args)</c>.</para>
    /// </summary>
    /// <typeparam name="TState">The argument's type.</typeparam>
    /// <param name="when">An absolute loop time in seconds.</param>
    /// <param name="callback">The callback.</param>
    /// <param name="state">Passed to the callback.</param>
    /// <returns>The timer, which can be cancelled.</returns>
    public TimerHandle CallAt<TState>(double when, Action<TState> callback, TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return ScheduleTimerAt(when, StateInvoker<TState>.Value, callback, state, ExecutionContext.Capture());
    }

    /// <summary>
    /// Schedules <paramref name="callback"/> from any thread and wakes the loop if it is idle. From the loop's
    /// own thread it keeps its place among <see cref="CallSoon(Action)"/> calls.
    /// <para>asyncio: <c>loop.call_soon_threadsafe(callback)</c>.</para>
    /// </summary>
    /// <param name="callback">The callback.</param>
    /// <returns>
    /// A handle that can cancel the call (from any thread). If <see cref="Close"/> drops the call before it
    /// runs, the handle reports <see cref="Handle.IsCancelled"/>.
    /// </returns>
    /// <exception cref="InvalidOperationException">The loop is closed (also when it closes during this call).</exception>
    public Handle CallSoonThreadsafe(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckClosed();
        var entry = new ThreadsafeCallback(s_invokeAction, callback, null);
        if (!PostToInbox(ThreadsafeCallback.RunUnlessCancelled, entry, null, ExecutionContext.Capture())) ThrowClosed();
        return new Handle(entry);
    }

    /// <summary>
    /// Schedules <paramref name="callback"/>(<paramref name="state"/>) from any thread.
    /// <para>asyncio: <c>loop.call_soon_threadsafe(callback, *args)</c>.</para>
    /// </summary>
    /// <typeparam name="TState">The argument's type.</typeparam>
    /// <param name="callback">The callback.</param>
    /// <param name="state">Passed to the callback.</param>
    /// <returns>A handle that can cancel the call; cancelled if <see cref="Close"/> drops the call.</returns>
    /// <exception cref="InvalidOperationException">The loop is closed (also when it closes during this call).</exception>
    public Handle CallSoonThreadsafe<TState>(Action<TState> callback, TState state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckClosed();
        var entry = new ThreadsafeCallback(StateInvoker<TState>.Value, callback, state);
        if (!PostToInbox(ThreadsafeCallback.RunUnlessCancelled, entry, null, ExecutionContext.Capture())) ThrowClosed();
        return new Handle(entry);
    }

    /// <summary>
    /// The loop's clock: monotonic seconds read from <see cref="TimeProvider"/>.
    /// <para>asyncio: <c>loop.time()</c>.</para>
    /// </summary>
    public double Time() => _systemClock
        ? Stopwatch.GetTimestamp() * _tickSeconds
        : TimeProvider.GetTimestamp() * _tickSeconds;

    // ---------------------------------------------------------------- futures and tasks

    /// <summary>
    /// Creates a pending future bound to this loop.
    /// <para>asyncio: <c>loop.create_future()</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    public Future<T> CreateFuture<T>() => new(this);

    /// <summary>
    /// Creates a pending future with no meaningful result (<c>SetResult(null)</c> completes it).
    /// <para>asyncio: <c>loop.create_future()</c>.</para>
    /// </summary>
    public Future<object?> CreateFuture() => new(this);

    /// <summary>
    /// Wraps <paramref name="coroutine"/> in a task and schedules its first step; nothing of the body runs
    /// before the caller yields to the loop.
    /// <para>asyncio: <c>loop.create_task(coro, name=None)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="coroutine">A coroutine not awaited before.</param>
    /// <param name="name">The task's name; <c>Task-N</c> when null.</param>
    /// <exception cref="InvalidOperationException">The loop is closed, or the coroutine was awaited or scheduled before.</exception>
    public AioTask<T> CreateTask<T>(Coroutine<T> coroutine, string? name = null)
    {
        AioTask<T> frame = coroutine.Frame;
        CheckClosed();
        frame.BecomeTask(this, name);
        return frame;
    }

    /// <summary>
    /// Wraps <paramref name="coroutine"/> in a task and schedules its first step.
    /// <para>asyncio: <c>loop.create_task(coro, name=None)</c>.</para>
    /// </summary>
    /// <param name="coroutine">A coroutine not awaited before.</param>
    /// <param name="name">The task's name; <c>Task-N</c> when null.</param>
    /// <exception cref="InvalidOperationException">The loop is closed, or the coroutine was awaited or scheduled before.</exception>
    public AioTask CreateTask(Coroutine coroutine, string? name = null)
    {
        AioTask frame = coroutine.Frame;
        CheckClosed();
        frame.BecomeTask(this, name);
        return frame;
    }

    /// <inheritdoc cref="CreateTask{T}(Coroutine{T}, string?)"/>
    /// <param name="operation">A queue or primitive operation (it started when called).</param>
    /// <param name="name">The task's name; <c>Task-N</c> when null.</param>
    public AioTask<T> CreateTask<T>(LoopAwaitable<T> operation, string? name = null) => CreateTask((Coroutine<T>)operation, name);

    /// <inheritdoc cref="CreateTask{T}(Coroutine{T}, string?)"/>
    /// <param name="task">A .NET task; cancelling the returned task abandons the await of it.</param>
    /// <param name="name">The task's name; <c>Task-N</c> when null.</param>
    public AioTask<T> CreateTask<T>(Task<T> task, string? name = null) => CreateTask((Coroutine<T>)task, name);

    /// <inheritdoc cref="CreateTask{T}(Coroutine{T}, string?)"/>
    /// <param name="task">A .NET value task, not awaited before.</param>
    /// <param name="name">The task's name; <c>Task-N</c> when null.</param>
    public AioTask<T> CreateTask<T>(ValueTask<T> task, string? name = null) => CreateTask((Coroutine<T>)task, name);

    /// <summary>The task whose step is running on this loop, or null (asyncio: <c>current_task(loop)</c>).</summary>
    public AioTask? CurrentTask => _currentTask;

    /// <summary>
    /// The tasks of this loop that are not done yet.
    /// <para>asyncio: <c>asyncio.all_tasks(loop)</c>.</para>
    /// </summary>
    public IReadOnlySet<AioTask> AllTasks()
    {
        var set = new HashSet<AioTask>(_tasks.Count);
        for (int i = 0; i < _tasks.Count; i++) set.Add(_tasks[i]);
        return set;
    }

    internal void RegisterTask(AioTask task) => _tasks.Add(task);

    internal void UnregisterTask(AioTask task) => _tasks.Remove(task);

    // ---------------------------------------------------------------- internals shared with futures and tasks

    /// <summary>Invokes an <see cref="Action"/> stored as the first argument.</summary>
    private static readonly Action<object?, object?> s_invokeAction = static (action, _) => ((Action)action!)();

    /// <summary>Invokes an <see cref="IFutureListener"/> with its future.</summary>
    private static readonly Action<object?, object?> s_invokeListener =
        static (listener, future) => ((IFutureListener)listener!).OnFutureDone((Future)future!);

    /// <summary>Runs a timer's callback unless it was cancelled after becoming due.</summary>
    private static readonly Action<object?, object?> s_runTimer = static (timer, _) =>
    {
        var handle = (TimerHandle)timer!;
        if (!handle.IsCancelled) handle.Invoke(handle.A, handle.B);
    };

    /// <summary>One cached invoker per argument type.</summary>
    private static class StateInvoker<TState>
    {
        public static readonly Action<object?, object?> Value = static (callback, state) => ((Action<TState>)callback!)((TState)state!);
    }

    private Handle CallSoonCore(Action<object?, object?> invoke, object? a, object? b)
    {
        CheckClosed();
        CheckThread();
        long id = EnqueueReady(invoke, a, b, ExecutionContext.Capture());
        return new Handle(_ready.HandleBlockOf(id), id);
    }

    /// <summary>Appends to the ready queue; callbacks posted from other threads earlier keep their place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal long EnqueueReady(Action<object?, object?> invoke, object? a, object? b, ExecutionContext? context = null)
    {
        if (_inboxCount != 0) DrainInbox();
        return _ready.Enqueue(invoke, a, b, context);
    }

    /// <summary>Schedules a listener's call for a completed future (asyncio's <c>__schedule_callbacks</c>).</summary>
    internal void ScheduleListener(IFutureListener listener, Future future) => EnqueueReady(s_invokeListener, listener, future);

    /// <summary>
    /// Refuses a NaN duration or deadline at the call, naming the caller's own parameter: let through, it would
    /// fail later in the timer code under that code's parameter name (in asyncio, it times out at once or never).
    /// </summary>
    internal static void ThrowIfNaN(double? value, string paramName)
    {
        if (value is double v && double.IsNaN(v)) throw new ArgumentException($"Invalid {paramName}: NaN (not a number)", paramName);
    }

    internal TimerHandle ScheduleTimer(double delay, Action<object?, object?> invoke, object? a, object? b, ExecutionContext? context)
    {
        if (double.IsNaN(delay)) throw new ArgumentException("Invalid delay: NaN (not a number)", nameof(delay));
        return ScheduleTimerAt(Time() + delay, invoke, a, b, context);
    }

    private TimerHandle ScheduleTimerAt(double when, Action<object?, object?> invoke, object? a, object? b, ExecutionContext? context)
    {
        if (double.IsNaN(when)) throw new ArgumentException("Invalid time: NaN (not a number)", nameof(when));
        CheckClosed();
        CheckThread();
        var timer = new TimerHandle(this, when, invoke, a, b, context);
        _timers.Push(timer);
        return timer;
    }

    internal void OnTimerCancelled() => _timers.OnCancelled();

    /// <summary>
    /// In debug mode, throws when called from a thread other than the one running the loop.
    /// <para>asyncio: <c>loop._check_thread()</c>.</para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CheckThread()
    {
        if (_debug) CheckThreadSlow();
    }

    /// <summary>
    /// In debug mode, throws when <paramref name="user"/> (a queue or primitive bound to this loop) is used from
    /// a thread other than the one running the loop. asyncio reaches the same check through the futures such an
    /// operation wakes; checking first leaves the object unchanged when it throws.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CheckThread(object user)
    {
        if (_debug) CheckThreadSlow(user);
    }

    private void CheckThreadSlow(object? user = null)
    {
        int owner = _threadId;
        if (owner != 0 && owner != Environment.CurrentManagedThreadId)
        {
            throw new InvalidOperationException(user is null
                ? "Non-thread-safe operation invoked on an event loop other than the current one"
                : $"{user.GetType().Name.Split('`')[0]} is not thread-safe and was used from a thread other than the one " +
                  "running its event loop (post the call with CallSoonThreadsafe)");
        }
    }

    private void CheckClosed()
    {
        if (_closed) ThrowClosed();
    }

    private static void ThrowClosed() => throw new InvalidOperationException("Event loop is closed");

    /// <inheritdoc/>
    public override string ToString() =>
        $"<EventLoop running={IsRunning} closed={IsClosed} debug={_debug}{(_virtualClock is null ? "" : " virtual-time")}>";
}
