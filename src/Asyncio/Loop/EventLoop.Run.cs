using System.Diagnostics;

namespace Asyncio;

public sealed partial class EventLoop
{
    /// <summary>Timers due within this many seconds of now run in the current iteration (asyncio: <c>_clock_resolution</c>).</summary>
    private const double ClockResolution = 1e-6;

    /// <summary>The loop's clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The virtual clock, when the loop runs on one.</summary>
    private readonly VirtualTimeProvider? _virtualClock;

    /// <summary>True for <see cref="TimeProvider.System"/>: waits can then use the clock's own timeouts.</summary>
    private readonly bool _systemClock;

    /// <summary>Seconds per timestamp tick of <see cref="TimeProvider"/>.</summary>
    private readonly double _tickSeconds;

    /// <summary>Installed as <see cref="SynchronizationContext.Current"/> while the loop runs.</summary>
    private readonly LoopSynchronizationContext _syncContext;

    /// <summary>
    /// Runs until <see cref="Stop"/> is called. A stop requested before the call makes the loop run one
    /// iteration and return.
    /// <para>asyncio: <c>loop.run_forever()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The loop is closed or already running, or another loop runs on this thread.</exception>
    public void RunForever()
    {
        CheckRunnable();
        SynchronizationContext? previousContext = SynchronizationContext.Current;
        ExecutionContext? callerContext = ExecutionContext.Capture();
        _threadId = Environment.CurrentManagedThreadId;
        t_running = this;
        SynchronizationContext.SetSynchronizationContext(_syncContext);
        try
        {
            while (true)
            {
                RunOnce();
                if (_stopping) break;
            }
        }
        finally
        {
            _stopping = false;
            t_running = null;
            _threadId = 0;
            if (callerContext is not null) ExecutionContext.Restore(callerContext);
            SynchronizationContext.SetSynchronizationContext(previousContext);
        }
    }

    /// <summary>Throws unless the loop can start running on this thread (asyncio: <c>_check_closed</c>, <c>_check_running</c>).</summary>
    private void CheckRunnable()
    {
        CheckClosed();
        if (IsRunning) throw new InvalidOperationException("This event loop is already running");
        if (t_running is not null) throw new InvalidOperationException("Cannot run the event loop while another loop is running");
    }

    /// <summary>
    /// Stops the loop after the current iteration: callbacks already in it still run.
    /// <para>asyncio: <c>loop.stop()</c>.</para>
    /// </summary>
    public void Stop() => _stopping = true;

    /// <summary>
    /// Runs the coroutine in a new task until it completes and returns its result (or throws its exception).
    /// <para>asyncio: <c>loop.run_until_complete(coro)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="coroutine">The coroutine to run.</param>
    /// <exception cref="InvalidOperationException">The loop is closed or running, or it stopped before the task completed.</exception>
    public T RunUntilComplete<T>(Coroutine<T> coroutine)
    {
        _ = coroutine.Frame;
        // Checked before the coroutine becomes a task, which would otherwise run on the loop already running.
        CheckRunnable();
        AioTask<T> task = CreateTask(coroutine);
        RunUntilDone(task, ownsTask: true);
        return task.Result();
    }

    /// <summary>
    /// Runs the coroutine in a new task until it completes; throws its exception, if any.
    /// <para>asyncio: <c>loop.run_until_complete(coro)</c>.</para>
    /// </summary>
    /// <param name="coroutine">The coroutine to run.</param>
    public void RunUntilComplete(Coroutine coroutine)
    {
        _ = coroutine.Frame;
        CheckRunnable();
        AioTask task = CreateTask(coroutine);
        RunUntilDone(task, ownsTask: true);
        task.ThrowIfFailed();
    }

    /// <summary>
    /// Runs the loop until <paramref name="future"/> is done and returns its result.
    /// <para>asyncio: <c>loop.run_until_complete(future)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="future">A future of this loop.</param>
    /// <exception cref="ArgumentException">The future belongs to another loop.</exception>
    public T RunUntilComplete<T>(Future<T> future)
    {
        RunUntilDone(future, ownsTask: false);
        return future.Result();
    }

    /// <summary>
    /// Runs the loop until <paramref name="task"/> is done and returns its result.
    /// <para>asyncio: <c>loop.run_until_complete(task)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">A task of this loop.</param>
    public T RunUntilComplete<T>(AioTask<T> task)
    {
        RunUntilDone(task, ownsTask: false);
        return task.Result();
    }

    /// <summary>
    /// Runs the loop until <paramref name="future"/> (a future or task of any type) is done; throws its exception.
    /// <para>asyncio: <c>loop.run_until_complete(future)</c>.</para>
    /// </summary>
    /// <param name="future">A future of this loop.</param>
    public void RunUntilComplete(Future future)
    {
        RunUntilDone(future, ownsTask: false);
        future.ThrowIfFailed();
    }

    private void RunUntilDone(Future future, bool ownsTask)
    {
        ArgumentNullException.ThrowIfNull(future);
        CheckClosed();
        if (future._loop != this)
        {
            throw new ArgumentException(
                "The future belongs to a different loop than the one specified as the loop argument", nameof(future));
        }
        var stopper = new StopWhenDone();
        future.AddListener(stopper);
        try
        {
            RunForever();
        }
        catch
        {
            // asyncio marks the exception of its own task as seen when the loop itself failed.
            if (ownsTask && future.IsDone && !future.IsCancelled) future.Exception();
            throw;
        }
        finally
        {
            future.RemoveListener(stopper);
        }
        if (!future.IsDone) throw new InvalidOperationException("Event loop stopped before Future completed.");
    }

    /// <summary>Stops the loop when the future it listens to completes (asyncio: <c>_run_until_complete_cb</c>).</summary>
    private sealed class StopWhenDone : IFutureListener
    {
        public void OnFutureDone(Future future) => future._loop.Stop();
    }

    /// <summary>
    /// Closes the loop: drops pending callbacks and timers, and reports tasks still pending. Idempotent.
    /// From then on, posting from any thread throws. Work another thread waits for is not left pending:
    /// a dropped <see cref="CallSoonThreadsafe(Action)"/> call reports <see cref="Handle.IsCancelled"/>, and
    /// the .NET <see cref="Task"/> of a <see cref="Aio.RunCoroutineThreadsafe{T}(Coroutine{T}, EventLoop, CancellationToken)"/>
    /// submission or of <see cref="AioTask.AsTask"/> is cancelled when its loop task never started or is still pending.
    /// <para>asyncio: <c>loop.close()</c> (which leaves such work pending).</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The loop is running.</exception>
    public void Close()
    {
        if (IsRunning) throw new InvalidOperationException("Cannot close a running event loop");
        ReadyItem[] posted;
        lock (_inboxLock)
        {
            // Set under the inbox lock: a post from another thread either sees it and throws, or is taken here.
            if (_closed) return;
            _closed = true;
            posted = [.. _inbox];
            _inbox.Clear();
            _inboxCount = 0;
        }
        for (int i = _tasks.Count - 1; i >= 0; i--)
        {
            AioTask task = _tasks[i];
            UnregisterTask(task);
            task.ReportDestroyedPending();
            task.NotifyDroppedAtClose();
        }
        while (_ready.Count > 0) DropAtClose(_ready.Dequeue());
        _ioReady.Clear();
        _ready.ReleaseSpareBlocks();
        ReleaseThreadContext();
        foreach (ReadyItem item in posted) DropAtClose(item);
        _timers.Clear();
        _providerTimer?.Dispose();
        DisposeOwnedSockets();
        CloseSubprocessResources();
        _selector.Dispose();
        ShutdownDefaultExecutorOnClose();
    }

    /// <summary>
    /// Tells a callback <see cref="Close"/> drops that it will never run, when someone outside the loop may be
    /// waiting for it: a cross-thread call's handle turns cancelled, and work behind it ends its waiter.
    /// </summary>
    private static void DropAtClose(ReadyItem item)
    {
        if (item.Invoke == s_invokeListener && item.A is IDroppedAtClose)
        {
            // The future finished and only the telling was left: the outside waiter gets the real outcome.
            ((IFutureListener)item.A).OnFutureDone((Future)item.B!);
        }
        else if (item.Invoke == ThreadsafeCallback.RunUnlessCancelled)
        {
            var callback = (ThreadsafeCallback)item.A!;
            callback.Cancel();
            (callback.B as IDroppedAtClose)?.OnDroppedAtClose();
        }
        else (item.A as IDroppedAtClose)?.OnDroppedAtClose();
    }

    /// <summary>
    /// One iteration: wait for work (or jump a virtual clock), move due timers to the ready queue, then run
    /// exactly the callbacks that were ready at that point (asyncio: <c>_run_once</c>).
    /// </summary>
    private void RunOnce()
    {
        TimerHandle? next = _timers.PeekLive();
        double timeout;
        if (_ready.Count > 0 || _ioReady.Count > 0 || _stopping) timeout = 0;
        else if (next is null) timeout = double.PositiveInfinity;
        else timeout = Math.Max(0, next.When - Time());

        WaitForWork(timeout);

        // Reading the clock is a system call: skip it when there is no timer to compare it with.
        if (_timers.Count > 0)
        {
            double end = Time() + ClockResolution;
            while (_timers.PeekLive() is { } due && due.When < end)
            {
                _timers.Pop();
                _ready.Enqueue(s_runTimer, due, null, due.Context);
            }
        }

        int count = _ready.Count;
        ForgetThreadContext(); // the code between runs of the loop is not a task step
        for (int i = 0; i < count; i++)
        {
            ReadyItem item = _ready.Dequeue();
            if (item.Invoke is null) continue;
            if (item.Context is not null)
            {
                ExecutionContext.Restore(item.Context);
                ForgetThreadContext();
            }
            if (_debug)
            {
                RunTimed(item);
                ForgetThreadContext();
            }
            else
            {
                try
                {
                    item.Invoke(item.A, item.B);
                }
                catch (Exception error)
                {
                    ForgetThreadContext();
                    ReportCallbackError(item, error);
                }
            }
        }
    }

    private void RunTimed(ReadyItem item)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            item.Invoke!(item.A, item.B);
        }
        catch (Exception error)
        {
            ReportCallbackError(item, error);
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        if (seconds >= SlowCallbackDuration)
        {
            LogWarning($"Executing {DescribeCallback(item)} took {PyRepr.Fixed3(seconds)} seconds");
        }
    }

    private void ReportCallbackError(ReadyItem item, Exception error)
    {
        CallExceptionHandler(new ExceptionContext($"Exception in callback {DescribeCallback(item)}")
        {
            Exception = error,
            Handle = HandleOfRunningCallback(item),
        });
    }

    /// <summary>
    /// The handle of the callback being run, made only when it is needed: the callback was the last entry
    /// taken from the ready queue, since nothing else dequeues while a callback runs.
    /// </summary>
    private Handle HandleOfRunningCallback(ReadyItem item) => item.A switch
    {
        TimerHandle timer when item.Invoke == s_runTimer => timer,
        ThreadsafeCallback callback when item.Invoke == ThreadsafeCallback.RunUnlessCancelled => new Handle(callback),
        _ => new Handle(_ready.HandleBlockOf(_ready.LastDequeuedId), _ready.LastDequeuedId),
    };

    private static string DescribeCallback(ReadyItem item) => item.A switch
    {
        // A timer or cross-thread entry wraps the real target: a task step (a sleep's wake-up) is named
        // by its task, as asyncio names the step that follows the sleep.
        TimerHandle t => DescribeTarget(t.A) ?? t.ToString(),
        ThreadsafeCallback t => DescribeTarget(t.A) ?? t.ToString(),
        IoCallback r => DescribeTarget(r.A) ?? r.ToString(),
        var other => DescribeTarget(other) ?? other?.ToString() ?? "callback",
    };

    private static string? DescribeTarget(object? target) => target switch
    {
        AioTask t => t.Owner.ToString(),
        Delegate d => Describe(d),
        _ => null,
    };

    private static string Describe(Delegate d) => $"{d.Method.DeclaringType?.Name}.{d.Method.Name}()";
}
