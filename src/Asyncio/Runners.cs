namespace Asyncio;

/// <summary>
/// Runs several coroutines, one after another, on one loop and in one <see cref="ExecutionContext"/>
/// (so <see cref="AsyncLocal{T}"/> values set by one run are seen by the next). <see cref="Aio.Run{T}(Coroutine{T}, bool?, bool)"/> is a
/// runner used once.
/// <para>asyncio: <c>asyncio.Runner</c>.</para>
/// </summary>
/// <remarks>
/// Closing the runner cancels the tasks still pending and waits for them (their errors go to the loop's
/// exception handler), shuts down the loop's default executor, uninstalls and closes the loop.
/// <para>While a run is running, Ctrl-C (SIGINT) cancels its main task once; when the main task then ends
/// cancelled, the run throws <see cref="KeyboardInterrupt"/>. A second Ctrl-C ends the process. One runner at a
/// time handles Ctrl-C (see the guide).</para>
/// </remarks>
public sealed class AioRunner : IDisposable
{
    /// <summary>Debug mode for the loop; null leaves its default.</summary>
    private readonly bool? _debug;

    /// <summary>The loop's clock; null for the system clock.</summary>
    private readonly TimeProvider? _timeProvider;

    /// <summary>Created on first use.</summary>
    private EventLoop? _loop;

    /// <summary>The context runs share, updated after each run.</summary>
    private ExecutionContext? _context;

    /// <summary>Set by <see cref="Close"/>.</summary>
    private bool _closed;

    /// <summary>Creates a runner; the loop is made on first use.</summary>
    /// <param name="debug">Debug mode for the loop; null leaves the default.</param>
    /// <param name="timeProvider">The loop's clock; null for the system clock, a <see cref="VirtualTimeProvider"/> for virtual time.</param>
    public AioRunner(bool? debug = null, TimeProvider? timeProvider = null)
    {
        _debug = debug;
        _timeProvider = timeProvider;
        _context = ExecutionContext.Capture();
    }

    /// <summary>
    /// The runner's loop, created on first use.
    /// <para>asyncio: <c>Runner.get_loop()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The runner is closed.</exception>
    public EventLoop Loop => LazyInit();

    /// <summary>
    /// Runs <paramref name="coroutine"/> as a task on the runner's loop and returns its result.
    /// <para>asyncio: <c>Runner.run(coro)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="coroutine">The coroutine.</param>
    /// <exception cref="InvalidOperationException">The runner is closed, or a loop is running on this thread.</exception>
    /// <exception cref="KeyboardInterrupt">Ctrl-C (SIGINT) cancelled the main task, which ended cancelled.</exception>
    public T Run<T>(Coroutine<T> coroutine) => ((AioTask<T>)RunTask(coroutine)).Result();

    /// <summary>
    /// Runs <paramref name="coroutine"/> as a task on the runner's loop.
    /// <para>asyncio: <c>Runner.run(coro)</c>.</para>
    /// </summary>
    /// <param name="coroutine">The coroutine.</param>
    /// <exception cref="KeyboardInterrupt">Ctrl-C (SIGINT) cancelled the main task, which ended cancelled.</exception>
    public void Run(Coroutine coroutine) => RunTask(coroutine);

    /// <summary>Runs the coroutine's task (the same object as the coroutine's frame, whatever its result type).</summary>
    private AioTask RunTask(Coroutine coroutine)
    {
        _ = coroutine.Frame;
        if (EventLoop.RunningOrNull is not null)
        {
            throw new InvalidOperationException("Aio.Run() cannot be called from a running event loop");
        }
        EventLoop loop = LazyInit();
        ExecutionContext? caller = ExecutionContext.Capture();
        AioTask task;
        try
        {
            if (_context is not null) ExecutionContext.Restore(_context);
            task = loop.CreateTask(coroutine);
        }
        finally
        {
            if (caller is not null) ExecutionContext.Restore(caller);
        }
        SigintHandler? sigint = SigintHandler.TryInstall(loop, task);
        try
        {
            // RunUntilComplete throws the task's exception as its first retrieval: a cancelled task's error is
            // the one that carries the cancel message (later retrievals get a fresh one without).
            loop.RunUntilComplete((Future)task);
        }
        catch (CancelledError cancelled) when (sigint is { Interrupted: true })
        {
            // Only the interrupt's own cancellation becomes KeyboardInterrupt: if someone else also cancelled
            // the main task, one request remains and the CancelledError goes on (asyncio: uncancel() == 0).
            if (task.Uncancel() == 0) throw new KeyboardInterrupt(null, cancelled);
            throw;
        }
        finally
        {
            sigint?.Dispose();
            _context = task.Context;
        }
        return task;
    }

    /// <summary>
    /// Cancels and awaits the loop's pending tasks, shuts the default executor down, then closes the loop.
    /// Idempotent.
    /// <para>asyncio: <c>Runner.close()</c>.</para>
    /// </summary>
    public void Close()
    {
        if (_closed) return;
        _closed = true;
        if (_loop is null) return;
        try
        {
            CancelAllTasks(_loop);
            _loop.ShutdownDefaultExecutorOnExit();
        }
        finally
        {
            Aio.SetEventLoop(null);
            _loop.Close();
        }
    }

    /// <inheritdoc cref="Close"/>
    public void Dispose() => Close();

    private EventLoop LazyInit()
    {
        if (_closed) throw new InvalidOperationException("Runner is closed");
        if (_loop is null)
        {
            _loop = new EventLoop(_timeProvider ?? TimeProvider.System);
            if (_debug is bool debug) _loop.Debug = debug;
            Aio.SetEventLoop(_loop);
        }
        return _loop;
    }

    /// <summary>Cancels every pending task, waits for all, and reports those that failed (asyncio: <c>_cancel_all_tasks</c>).</summary>
    private static void CancelAllTasks(EventLoop loop)
    {
        IReadOnlySet<AioTask> tasks = loop.AllTasks();
        if (tasks.Count == 0) return;
        foreach (AioTask task in tasks) task.Cancel();
        var allDone = loop.CreateFuture();
        var countdown = new Countdown(tasks.Count, allDone);
        foreach (AioTask task in tasks) task.AddListener(countdown);
        loop.RunUntilComplete(allDone);
        foreach (AioTask task in tasks)
        {
            if (task.IsCancelled) continue;
            if (task.Exception() is { } error)
            {
                loop.CallExceptionHandler(new ExceptionContext("unhandled exception during asyncio.run() shutdown")
                {
                    Exception = error,
                    Task = task,
                });
            }
        }
    }

    /// <summary>Completes a future when a number of others are done.</summary>
    private sealed class Countdown : IFutureListener
    {
        private int _remaining;
        private readonly Future<object?> _allDone;

        public Countdown(int count, Future<object?> allDone)
        {
            _remaining = count;
            _allDone = allDone;
        }

        public void OnFutureDone(Future future)
        {
            if (--_remaining == 0) _allDone.TrySetResult(null);
        }
    }
}
