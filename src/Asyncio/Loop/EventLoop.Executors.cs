namespace Asyncio;

public sealed partial class EventLoop
{
    /// <summary>The pool behind <c>RunInExecutor(null, ...)</c> and <see cref="Aio.ToThread{T}(Func{T})"/>, made on first use.</summary>
    private ThreadPoolExecutor? _defaultExecutor;

    /// <summary>Set by <see cref="ShutdownDefaultExecutorAsync(double?)"/> (asyncio: <c>_executor_shutdown_called</c>).</summary>
    private bool _executorShutdownCalled;

    /// <summary>How long <c>Aio.Run</c> waits for the default executor's threads at exit (asyncio: <c>constants.THREAD_JOIN_TIMEOUT</c>).</summary>
    private const double ThreadJoinTimeout = 300;

    /// <summary>Completes a job that never reached its executor, so the count of jobs in flight stays right.</summary>
    private static readonly Action<object?, object?> s_noJob = static (_, _) => { };

    /// <summary>
    /// Runs <paramref name="func"/> in <paramref name="executor"/> (null: the loop's default
    /// <see cref="ThreadPoolExecutor"/>, threads named <c>asyncio_N</c>) and returns a loop future with its
    /// outcome. The function runs in the worker's own <see cref="ExecutionContext"/>, not the caller's
    /// (use <see cref="Aio.ToThread{T}(Func{T})"/> for that). Cancelling the future cancels the job if it
    /// has not started; a running job runs to its end and its result is dropped. On a virtual clock the
    /// loop does not move time while the job runs.
    /// <para>asyncio: <c>loop.run_in_executor(executor, func)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="executor">The executor; null for the default one.</param>
    /// <param name="func">The function.</param>
    /// <exception cref="InvalidOperationException">The loop is closed; the default executor was shut down; the executor refuses work.</exception>
    public Future<T> RunInExecutor<T>(IExecutor? executor, Func<T> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        return Submit(executor, func, context: null);
    }

    /// <summary>
    /// Runs <paramref name="func"/>(<paramref name="arg"/>) in <paramref name="executor"/>; see
    /// <see cref="RunInExecutor{T}(IExecutor?, Func{T})"/>. This is the form a <see cref="ProcessPoolExecutor"/>
    /// needs: a static method and its argument, sent to the worker process.
    /// <para>asyncio: <c>loop.run_in_executor(executor, func, arg)</c>.</para>
    /// </summary>
    /// <typeparam name="TArg">The argument type.</typeparam>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="executor">The executor; null for the default one.</param>
    /// <param name="func">The function.</param>
    /// <param name="arg">Its argument.</param>
    public Future<T> RunInExecutor<TArg, T>(IExecutor? executor, Func<TArg, T> func, TArg arg)
    {
        ArgumentNullException.ThrowIfNull(func);
        CheckClosed();
        if (executor is null or ThreadPoolExecutor) return Submit(executor, () => func(arg), context: null);
        return SubmitForeign(executor, (e, token) => e.Submit(func, arg, token));
    }

    /// <summary>
    /// Runs <paramref name="action"/> in <paramref name="executor"/>; see <see cref="RunInExecutor{T}(IExecutor?, Func{T})"/>.
    /// <para>asyncio: <c>loop.run_in_executor(executor, func)</c> for a function returning <c>None</c>.</para>
    /// </summary>
    /// <param name="executor">The executor; null for the default one.</param>
    /// <param name="action">The action.</param>
    public Future RunInExecutor(IExecutor? executor, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        CheckClosed();
        if (executor is not null and not ThreadPoolExecutor)
        {
            return SubmitForeign(executor, async (e, token) =>
            {
                await e.Submit(action, token).ConfigureAwait(false);
                return (object?)null;
            });
        }
        return Submit<object?>(executor, () =>
        {
            action();
            return null;
        }, context: null);
    }

    /// <summary>
    /// Replaces the executor <c>RunInExecutor(null, ...)</c> uses. The previous default is not shut down.
    /// <para>asyncio: <c>loop.set_default_executor(executor)</c> (which also requires a <c>ThreadPoolExecutor</c>).</para>
    /// </summary>
    /// <param name="executor">The new default.</param>
    public void SetDefaultExecutor(ThreadPoolExecutor executor)
    {
        ArgumentNullException.ThrowIfNull(executor);
        _defaultExecutor = executor;
    }

    /// <summary>
    /// Shuts the default executor down and waits, in a helper thread so the loop keeps running, for its
    /// jobs and threads to finish. Afterwards <c>RunInExecutor(null, ...)</c> throws. With
    /// <paramref name="timeout"/>, stops waiting after that many seconds and logs a warning.
    /// <see cref="Aio.Run{T}(Coroutine{T}, bool?, bool)"/> does this when the main coroutine ends.
    /// <para>asyncio: <c>loop.shutdown_default_executor(timeout=None)</c>.</para>
    /// </summary>
    /// <param name="timeout">
    /// Seconds to wait for the threads; null or <see cref="double.PositiveInfinity"/> waits for as long as they
    /// take (so does a timeout too long for a thread join, over about 24 days).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is NaN (thrown by the call, not the await).</exception>
    /// <remarks>A negative timeout is no wait, as in asyncio.</remarks>
    public Coroutine ShutdownDefaultExecutorAsync(double? timeout = null)
    {
        // Checked here, in the caller's thread: the helper thread that waits has nobody to report to.
        if (timeout is double seconds && double.IsNaN(seconds))
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), seconds,
                "The timeout must be a number of seconds (null waits without limit), not NaN.");
        }
        // Thread.Join takes at most int.MaxValue milliseconds (24.8 days): a longer wait is no limit.
        TimeSpan wait = timeout is double s && s * 1000 < int.MaxValue ? TimeSpan.FromSeconds(Math.Max(s, 0)) : Timeout.InfiniteTimeSpan;
        return ShutdownDefaultExecutorCore(wait, timeout);
    }

    /// <inheritdoc cref="ShutdownDefaultExecutorAsync(double?)"/>
    /// <param name="timeout">How long to wait for the threads; <see cref="Timeout.InfiniteTimeSpan"/> waits without limit.</param>
    public Coroutine ShutdownDefaultExecutorAsync(TimeSpan timeout) =>
        ShutdownDefaultExecutorAsync(timeout == Timeout.InfiniteTimeSpan ? null : timeout.TotalSeconds);

    private async Coroutine ShutdownDefaultExecutorCore(TimeSpan wait, double? timeout)
    {
        _executorShutdownCalled = true;
        ThreadPoolExecutor? executor = _defaultExecutor;
        if (executor is null) return;
        var joined = CreateFuture<bool>();
        JobStarted();
        var helper = new Thread(() =>
        {
            bool done;
            try
            {
                executor.Shutdown(wait: false);
                done = executor.Join(wait);
            }
            catch (Exception error)
            {
                // Never let the helper take the process down: the failure belongs to whoever awaits the shutdown.
                PostJobCompletion(static (f, e) => ((Future<bool>)f!).TrySetExceptionCore((Exception)e!), joined, error);
                return;
            }
            PostJobCompletion(static (f, ok) => ((Future<bool>)f!).TrySetResult((bool)ok!), joined, done);
        }) { IsBackground = true, Name = "asyncio-executor-shutdown" };
        helper.UnsafeStart();
        if (!await joined)
        {
            LogWarning($"The executor did not finishing joining its threads within {(timeout is double t ? PyRepr.Float(t) : "None")} seconds.");
        }
    }

    /// <summary>Sends a function to an executor; <paramref name="context"/> is the caller's for <c>to_thread</c>.</summary>
    internal Future<T> Submit<T>(IExecutor? executor, Func<T> func, ExecutionContext? context)
    {
        CheckClosed();
        CheckNotCoroutine<T>();
        executor ??= DefaultExecutor();
        if (executor is not ThreadPoolExecutor pool)
        {
            return SubmitForeign(executor, (e, token) => e.Submit(func, token));
        }
        var future = new ExecutorFuture<T>(this);
        var job = new LoopJob<T>(future, func, context);
        JobStarted();
        try
        {
            pool.Enqueue(job);
        }
        catch
        {
            PostJobCompletion(s_noJob, null, null);
            throw;
        }
        return future;
    }

    /// <summary>
    /// A function returning a coroutine would only create it in the worker, never run it (asyncio raises
    /// <c>TypeError('coroutines cannot be used with run_in_executor()')</c>).
    /// </summary>
    private static void CheckNotCoroutine<T>()
    {
        if (typeof(T) == typeof(Coroutine) || (typeof(T).IsGenericType && typeof(T).GetGenericTypeDefinition() == typeof(Coroutine<>))
            || typeof(Future).IsAssignableFrom(typeof(T)))
        {
            throw new ArgumentException("coroutines cannot be used with RunInExecutor()", "func");
        }
    }

    /// <summary>Submits to an executor we only know by its interface; its task's outcome comes back through the inbox.</summary>
    private Future<T> SubmitForeign<T>(IExecutor executor, Func<IExecutor, CancellationToken, Task<T>> submit)
    {
        CheckNotCoroutine<T>();
        var future = new ExecutorFuture<T>(this) { _cancel = new CancellationTokenSource() };
        JobStarted();
        Task<T> task;
        try
        {
            task = submit(executor, future._cancel.Token);
        }
        catch
        {
            PostJobCompletion(s_noJob, null, null);
            throw;
        }
        task.ContinueWith(static (done, state) =>
        {
            var f = (ExecutorFuture<T>)state!;
            f._loop.PostJobCompletion(static (fut, t) =>
            {
                var target = (ExecutorFuture<T>)fut!;
                var finished = (Task<T>)t!;
                target._cancel!.Dispose();
                if (finished.IsCanceled) target.Complete(default!, null, cancelled: true);
                else if (finished.IsFaulted) target.Complete(default!, Unwrap(finished.Exception!), cancelled: false);
                else target.Complete(finished.Result, null, cancelled: false);
            }, f, done);
        }, future, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return future;
    }

    private static Exception Unwrap(AggregateException error) =>
        error.InnerExceptions.Count == 1 ? error.InnerException! : error;

    private ThreadPoolExecutor DefaultExecutor()
    {
        if (_executorShutdownCalled) throw new InvalidOperationException("Executor shutdown has been called");
        if (_defaultExecutor is null)
        {
            _defaultExecutor = new ThreadPoolExecutor(threadNamePrefix: "asyncio");
        }
        return _defaultExecutor;
    }

    /// <summary>Shuts the default executor down without waiting, if one was made (<see cref="Close"/>).</summary>
    private void ShutdownDefaultExecutorOnClose() => _defaultExecutor?.Shutdown(wait: false);

    /// <summary>
    /// Shuts the default executor down and waits for its threads, at most <see cref="ThreadJoinTimeout"/> seconds,
    /// as <c>asyncio.run</c> does at exit (<see cref="AioRunner.Close"/>).
    /// </summary>
    internal void ShutdownDefaultExecutorOnExit()
    {
        if (_defaultExecutor is not { } executor) return;
        _executorShutdownCalled = true;
        executor.Shutdown(wait: false);
        if (!executor.Join(TimeSpan.FromSeconds(ThreadJoinTimeout)))
        {
            LogWarning($"The executor did not finishing joining its threads within {PyRepr.Float(ThreadJoinTimeout)} seconds.");
        }
    }
}
