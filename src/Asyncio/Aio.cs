using Microsoft.Extensions.Logging;

namespace Asyncio;

/// <summary>
/// The static facade: asyncio's module-level functions (<c>asyncio.run</c>, <c>asyncio.sleep</c>,
/// <c>asyncio.create_task</c>, ...) with .NET spelling.
/// </summary>
public static partial class Aio
{
    /// <summary>The loop installed on this thread with <see cref="SetEventLoop"/> (asyncio: the policy's loop).</summary>
    [ThreadStatic] private static EventLoop? t_installed;

    /// <summary>True once <see cref="SetEventLoop"/> was called on this thread: no loop is created implicitly afterwards.</summary>
    [ThreadStatic] private static bool t_installedExplicitly;

    /// <summary>
    /// Where loops log when their own <see cref="EventLoop.Logger"/> is not set. When null, they write to
    /// standard error.
    /// </summary>
    public static ILoggerFactory? LoggerFactory
    {
        get => LoopDefaults.LoggerFactory;
        set => LoopDefaults.LoggerFactory = value;
    }

    // ---------------------------------------------------------------- loops

    /// <summary>
    /// The loop running on this thread.
    /// <para>asyncio: <c>asyncio.get_running_loop()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static EventLoop GetRunningLoop() =>
        EventLoop.RunningOrNull ?? throw new InvalidOperationException("no running event loop");

    /// <summary>
    /// The running loop; otherwise this thread's installed loop; otherwise, if <see cref="SetEventLoop"/>
    /// was never called on this thread, a new loop that is installed and returned.
    /// <para>asyncio: <c>asyncio.get_event_loop()</c> (Python 3.12's behaviour, without the warning).</para>
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="SetEventLoop"/> installed none (also after <see cref="Run{T}(Coroutine{T}, bool?, bool)"/>).</exception>
    public static EventLoop GetEventLoop()
    {
        if (EventLoop.RunningOrNull is { } running) return running;
        if (t_installed is { } installed) return installed;
        if (t_installedExplicitly)
        {
            Thread thread = Thread.CurrentThread;
            throw new InvalidOperationException(
                $"There is no current event loop in thread '{thread.Name ?? $"#{thread.ManagedThreadId}"}'.");
        }
        return t_installed = NewEventLoop();
    }

    /// <summary>
    /// Installs <paramref name="loop"/> as this thread's loop for <see cref="GetEventLoop"/>; null uninstalls.
    /// <para>asyncio: <c>asyncio.set_event_loop(loop)</c>.</para>
    /// </summary>
    /// <param name="loop">The loop, or null.</param>
    public static void SetEventLoop(EventLoop? loop)
    {
        t_installed = loop;
        t_installedExplicitly = true;
    }

    /// <summary>
    /// Creates a loop without installing it. With <paramref name="virtualTime"/>, its clock is a
    /// <see cref="VirtualTimeProvider"/> that jumps to the next timer whenever the loop is idle.
    /// <para>asyncio: <c>asyncio.new_event_loop()</c>.</para>
    /// </summary>
    /// <param name="virtualTime">Run on virtual time (for tests of time-based code).</param>
    public static EventLoop NewEventLoop(bool virtualTime = false) =>
        new(virtualTime ? new VirtualTimeProvider() : TimeProvider.System);

    /// <summary>Creates a loop whose clock is <paramref name="timeProvider"/>.</summary>
    /// <param name="timeProvider">The clock, e.g. a test's own <see cref="TimeProvider"/>.</param>
    public static EventLoop NewEventLoop(TimeProvider timeProvider) => new(timeProvider);

    // ---------------------------------------------------------------- run

    /// <summary>
    /// Runs <paramref name="main"/> on a new loop and returns its result: installs the loop, runs the main
    /// task, then cancels and awaits leftover tasks (reporting their errors), closes the loop and uninstalls it.
    /// <para>asyncio: <c>asyncio.run(main, debug=None)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="main">The main coroutine.</param>
    /// <param name="debug">Debug mode for the loop; null leaves the default (<c>AIO_DEBUG=1</c> turns it on).</param>
    /// <param name="virtualTime">Run on virtual time.</param>
    /// <exception cref="InvalidOperationException">A loop is already running on this thread.</exception>
    /// <exception cref="KeyboardInterrupt">Ctrl-C (SIGINT) cancelled the main task, which ended cancelled (a second Ctrl-C ends the process).</exception>
    public static T Run<T>(Coroutine<T> main, bool? debug = null, bool virtualTime = false)
    {
        _ = main.Frame;
        using var runner = new AioRunner(debug, virtualTime ? new VirtualTimeProvider() : null);
        return runner.Run(main);
    }

    /// <summary>
    /// Runs <paramref name="main"/> on a new loop; see <see cref="Run{T}(Coroutine{T}, bool?, bool)"/>.
    /// <para>asyncio: <c>asyncio.run(main, debug=None)</c>.</para>
    /// </summary>
    /// <param name="main">The main coroutine.</param>
    /// <param name="debug">Debug mode for the loop; null leaves the default.</param>
    /// <param name="virtualTime">Run on virtual time.</param>
    public static void Run(Coroutine main, bool? debug = null, bool virtualTime = false)
    {
        _ = main.Frame;
        using var runner = new AioRunner(debug, virtualTime ? new VirtualTimeProvider() : null);
        runner.Run(main);
    }

    /// <summary>Runs <paramref name="main"/> on a new loop whose clock is <paramref name="timeProvider"/>.</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="main">The main coroutine.</param>
    /// <param name="timeProvider">The loop's clock.</param>
    /// <param name="debug">Debug mode for the loop; null leaves the default.</param>
    public static T Run<T>(Coroutine<T> main, TimeProvider timeProvider, bool? debug = null)
    {
        _ = main.Frame;
        using var runner = new AioRunner(debug, timeProvider);
        return runner.Run(main);
    }

    // ---------------------------------------------------------------- sleep

    /// <summary>
    /// Suspends the current task for <paramref name="seconds"/>. Zero or less yields to the loop exactly once
    /// (callbacks already queued run first).
    /// <para>asyncio: <c>asyncio.sleep(delay)</c>.</para>
    /// </summary>
    /// <param name="seconds">How long; may be <see cref="double.PositiveInfinity"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="seconds"/> is NaN.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static SleepAwaitable Sleep(double seconds)
    {
        if (double.IsNaN(seconds)) throw new ArgumentException("Invalid delay: NaN (not a number)", nameof(seconds));
        return new SleepAwaitable(GetRunningLoop(), seconds);
    }

    /// <inheritdoc cref="Sleep(double)"/>
    public static SleepAwaitable Sleep(TimeSpan delay) => Sleep(delay.TotalSeconds);

    /// <summary>
    /// Suspends the current task for <paramref name="seconds"/>, then returns <paramref name="result"/>.
    /// <para>asyncio: <c>asyncio.sleep(delay, result)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="seconds">How long.</param>
    /// <param name="result">What the sleep returns.</param>
    public static async Coroutine<T> Sleep<T>(double seconds, T result)
    {
        await Sleep(seconds);
        return result;
    }

    /// <inheritdoc cref="Sleep{T}(double, T)"/>
    public static Coroutine<T> Sleep<T>(TimeSpan delay, T result) => Sleep(delay.TotalSeconds, result);

    // ---------------------------------------------------------------- tasks

    /// <summary>
    /// Wraps <paramref name="coroutine"/> in a task on the running loop and schedules it.
    /// <para>asyncio: <c>asyncio.create_task(coro, name=None)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="coroutine">A coroutine not awaited before.</param>
    /// <param name="name">The task's name; <c>Task-N</c> when null.</param>
    /// <exception cref="InvalidOperationException">No loop is running, or the coroutine was awaited before.</exception>
    public static AioTask<T> CreateTask<T>(Coroutine<T> coroutine, string? name = null) =>
        GetRunningLoop().CreateTask(coroutine, name);

    /// <summary>
    /// Wraps <paramref name="coroutine"/> in a task on the running loop and schedules it.
    /// <para>asyncio: <c>asyncio.create_task(coro, name=None)</c>.</para>
    /// </summary>
    /// <param name="coroutine">A coroutine not awaited before.</param>
    /// <param name="name">The task's name; <c>Task-N</c> when null.</param>
    /// <exception cref="InvalidOperationException">No loop is running, or the coroutine was awaited before.</exception>
    public static AioTask CreateTask(Coroutine coroutine, string? name = null) =>
        GetRunningLoop().CreateTask(coroutine, name);

    /// <summary>
    /// The task running on this thread's loop, or null inside a plain callback.
    /// <para>asyncio: <c>asyncio.current_task()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">No loop is running.</exception>
    public static AioTask? CurrentTask() => GetRunningLoop().CurrentTask;

    /// <summary>
    /// The task running on <paramref name="loop"/>, or null (also when the loop is not running).
    /// <para>asyncio: <c>asyncio.current_task(loop)</c>.</para>
    /// </summary>
    /// <param name="loop">The loop to ask.</param>
    public static AioTask? CurrentTask(EventLoop loop) => loop.CurrentTask;

    /// <summary>
    /// The running loop's tasks that are not done yet (the caller's included).
    /// <para>asyncio: <c>asyncio.all_tasks()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">No loop is running.</exception>
    public static IReadOnlySet<AioTask> AllTasks() => GetRunningLoop().AllTasks();

    // ---------------------------------------------------------------- ensure_future

    /// <summary>
    /// Returns <paramref name="future"/> itself.
    /// <para>asyncio: <c>asyncio.ensure_future(fut)</c>.</para>
    /// </summary>
    /// <typeparam name="TFuture">A future or task type.</typeparam>
    /// <param name="future">The future.</param>
    /// <param name="loop">When given, must be the future's loop.</param>
    /// <exception cref="ArgumentException">The future belongs to another loop than <paramref name="loop"/>.</exception>
    public static TFuture EnsureFuture<TFuture>(TFuture future, EventLoop? loop = null) where TFuture : Future
    {
        ArgumentNullException.ThrowIfNull(future);
        if (loop is not null && loop != future.Loop)
        {
            throw new ArgumentException(
                "The future belongs to a different loop than the one specified as the loop argument", nameof(loop));
        }
        return future;
    }

    /// <summary>
    /// Wraps <paramref name="coroutine"/> in a task on <paramref name="loop"/>, or on
    /// <see cref="GetEventLoop"/> (which may create a loop, unlike <see cref="CreateTask{T}(Coroutine{T}, string?)"/>).
    /// <para>asyncio: <c>asyncio.ensure_future(coro)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="coroutine">A coroutine not awaited before.</param>
    /// <param name="loop">The loop; null for <see cref="GetEventLoop"/>.</param>
    public static AioTask<T> EnsureFuture<T>(Coroutine<T> coroutine, EventLoop? loop = null)
    {
        loop ??= GetEventLoop();
        try
        {
            return loop.CreateTask(coroutine);
        }
        catch (InvalidOperationException)
        {
            // As asyncio: a coroutine the loop refused (closed) is closed, so it is not reported as never awaited.
            coroutine.CloseIfUnclaimed();
            throw;
        }
    }

    /// <summary>
    /// Wraps <paramref name="coroutine"/> in a task; see <see cref="EnsureFuture{T}(Coroutine{T}, EventLoop?)"/>.
    /// <para>asyncio: <c>asyncio.ensure_future(coro)</c>.</para>
    /// </summary>
    /// <param name="coroutine">A coroutine not awaited before.</param>
    /// <param name="loop">The loop; null for <see cref="GetEventLoop"/>.</param>
    public static AioTask EnsureFuture(Coroutine coroutine, EventLoop? loop = null) =>
        EnsureFuture(coroutine.AsVoid(), loop);

    /// <summary>
    /// Wraps a .NET task in a loop future; see <see cref="WrapFuture{T}(Task{T}, EventLoop?)"/>.
    /// <para>asyncio: <c>asyncio.ensure_future(concurrent_future)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The .NET task.</param>
    /// <param name="loop">The loop; null for <see cref="GetEventLoop"/>.</param>
    public static Future<T> EnsureFuture<T>(Task<T> task, EventLoop? loop = null) => WrapFuture(task, loop);

    /// <summary>
    /// A loop future that completes, on the loop thread, with the outcome of <paramref name="task"/> (which
    /// may run anywhere). A cancelled .NET task cancels the future. Cancelling the future cannot stop the
    /// .NET task (a <see cref="Task{T}"/> has no cancel method): pass a token to the work instead.
    /// <para>asyncio: <c>asyncio.wrap_future(fut)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The .NET task.</param>
    /// <param name="loop">The loop; null for <see cref="GetEventLoop"/>.</param>
    public static Future<T> WrapFuture<T>(Task<T> task, EventLoop? loop = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        loop ??= GetEventLoop();
        var future = loop.CreateFuture<T>();
        loop.ForeignAwaitStarted();
        task.ContinueWith(static (done, state) =>
        {
            var target = (Future<T>)state!;
            target._loop.PostForeignCompletion(static (f, t) => CopyOutcome((Future<T>)f!, (Task<T>)t!), target, done);
        }, future, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return future;
    }

    /// <summary>Copies a finished .NET task's outcome into a loop future that is still pending.</summary>
    private static void CopyOutcome<T>(Future<T> future, Task<T> task)
    {
        if (future.IsDone) return;
        if (task.IsCanceled) future.Cancel();
        else if (task.IsFaulted)
        {
            Exception error = task.Exception!.InnerExceptions.Count == 1 ? task.Exception.InnerException! : task.Exception;
            future.SetException(error);
        }
        else future.SetResult(task.Result);
    }

    // ---------------------------------------------------------------- threads

    /// <summary>
    /// Submits <paramref name="coroutine"/> to <paramref name="loop"/> from another thread and returns a
    /// <see cref="Task{T}"/> with its outcome. Cancelling <paramref name="cancellationToken"/> cancels the
    /// coroutine's task on the loop; a task cancelled on the loop cancels the returned task. If the loop
    /// closes before the task finishes (before it even started), the returned task is cancelled.
    /// <para>asyncio: <c>asyncio.run_coroutine_threadsafe(coro, loop)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="coroutine">A coroutine not awaited before.</param>
    /// <param name="loop">The loop to run it on (running in another thread).</param>
    /// <param name="cancellationToken">Cancels the coroutine's task.</param>
    /// <exception cref="InvalidOperationException">The loop is closed.</exception>
    public static Task<T> RunCoroutineThreadsafe<T>(Coroutine<T> coroutine, EventLoop loop, CancellationToken cancellationToken = default)
    {
        _ = coroutine.Frame;
        ArgumentNullException.ThrowIfNull(loop);
        var submission = new ThreadsafeSubmission<T>(loop, coroutine, cancellationToken);
        loop.CallSoonThreadsafe(ThreadsafeSubmission<T>.Start, submission);
        return submission.Task;
    }

    /// <summary>
    /// Submits <paramref name="coroutine"/> to <paramref name="loop"/> from another thread; see
    /// <see cref="RunCoroutineThreadsafe{T}(Coroutine{T}, EventLoop, CancellationToken)"/>.
    /// <para>asyncio: <c>asyncio.run_coroutine_threadsafe(coro, loop)</c>.</para>
    /// </summary>
    /// <param name="coroutine">A coroutine not awaited before.</param>
    /// <param name="loop">The loop to run it on.</param>
    /// <param name="cancellationToken">Cancels the coroutine's task.</param>
    public static Task RunCoroutineThreadsafe(Coroutine coroutine, EventLoop loop, CancellationToken cancellationToken = default) =>
        RunCoroutineThreadsafe(coroutine.AsVoid(), loop, cancellationToken);
}
