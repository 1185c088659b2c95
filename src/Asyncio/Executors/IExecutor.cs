namespace Asyncio;

/// <summary>
/// Runs functions outside the event loop (in worker threads or worker processes) and hands back a
/// <see cref="Task{TResult}"/> for each: a thread-safe future that any thread may wait on.
/// <para>asyncio: <c>concurrent.futures.Executor</c>.</para>
/// </summary>
/// <remarks>
/// <para>Jobs are cancelled through the <see cref="CancellationToken"/> given at submission: a job not yet
/// started is then dropped and its task ends cancelled; a job already running cannot be stopped (asyncio's
/// <c>Future.cancel()</c> on an executor future behaves the same way).</para>
/// <para><see cref="EventLoop.RunInExecutor{T}(IExecutor?, Func{T})"/> accepts any implementation.</para>
/// </remarks>
public interface IExecutor : IDisposable
{
    /// <summary>
    /// Schedules <paramref name="func"/> and returns a task with its result or exception.
    /// <para>asyncio: <c>Executor.submit(fn)</c>.</para>
    /// </summary>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="func">The function.</param>
    /// <param name="cancellationToken">Cancels the job if it has not started yet.</param>
    /// <exception cref="InvalidOperationException">The executor was shut down (or is broken).</exception>
    Task<TResult> Submit<TResult>(Func<TResult> func, CancellationToken cancellationToken = default);

    /// <summary>
    /// Schedules <paramref name="func"/>(<paramref name="arg"/>) and returns a task with its result or exception.
    /// <para>asyncio: <c>Executor.submit(fn, arg)</c>.</para>
    /// </summary>
    /// <typeparam name="TArg">The argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="func">The function.</param>
    /// <param name="arg">Its argument.</param>
    /// <param name="cancellationToken">Cancels the job if it has not started yet.</param>
    /// <exception cref="InvalidOperationException">The executor was shut down (or is broken).</exception>
    Task<TResult> Submit<TArg, TResult>(Func<TArg, TResult> func, TArg arg, CancellationToken cancellationToken = default);

    /// <summary>
    /// Schedules <paramref name="action"/> and returns a task that completes when it has run.
    /// <para>asyncio: <c>Executor.submit(fn)</c> for a function returning <c>None</c>.</para>
    /// </summary>
    /// <param name="action">The action.</param>
    /// <param name="cancellationToken">Cancels the job if it has not started yet.</param>
    /// <exception cref="InvalidOperationException">The executor was shut down (or is broken).</exception>
    Task Submit(Action action, CancellationToken cancellationToken = default);

    /// <summary>
    /// Refuses new work and releases the workers once the queued jobs are done.
    /// <para>asyncio: <c>Executor.shutdown(wait=True, *, cancel_futures=False)</c>.</para>
    /// </summary>
    /// <param name="wait">Block until every queued and running job has finished and the workers have exited.</param>
    /// <param name="cancelFutures">Cancel the jobs that have not started instead of running them.</param>
    void Shutdown(bool wait = true, bool cancelFutures = false);
}
