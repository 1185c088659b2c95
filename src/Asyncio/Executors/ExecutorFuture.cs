namespace Asyncio;

/// <summary>
/// The loop future <see cref="EventLoop.RunInExecutor{T}(IExecutor?, Func{T})"/> returns. Cancelling it also
/// cancels the job if the job has not started (asyncio's <c>wrap_future</c> does the same through
/// <c>_chain_future</c>); a running job cannot be stopped and its outcome is dropped.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
internal sealed class ExecutorFuture<T> : Future<T>
{
    /// <summary>The job of one of our thread pools; null when submitted to another executor.</summary>
    internal ExecutorJob? _job;

    /// <summary>Cancels the submission to another executor; null for our own jobs.</summary>
    internal CancellationTokenSource? _cancel;

    public ExecutorFuture(EventLoop loop) : base(loop) { }

    public override bool Cancel(string? message = null)
    {
        if (!base.Cancel(message)) return false;
        _job?.TryCancel();
        _cancel?.Cancel();
        return true;
    }

    /// <summary>Copies an outcome into the future unless it was cancelled meanwhile (loop thread).</summary>
    internal void Complete(T result, Exception? error, bool cancelled)
    {
        if (IsDone) return;
        if (cancelled) TryCancelCore(null);
        else if (error is not null) SetException(error);
        else SetResult(result);
    }
}

/// <summary>
/// A job run by a <see cref="ThreadPoolExecutor"/> for the loop: its outcome goes straight into the loop's
/// inbox with <see cref="EventLoop.PostJobCompletion"/> (no <see cref="Task"/> in between), and the loop
/// counted it with <see cref="EventLoop.JobStarted"/>, so a virtual clock waits for it.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
internal sealed class LoopJob<T> : ThreadJob<T>
{
    private static readonly Action<object?, object?> s_complete = static (job, _) => ((LoopJob<T>)job!).CompleteOnLoop();

    private readonly ExecutorFuture<T> _future;
    private T _result = default!;
    private Exception? _error;
    private bool _cancelled;

    public LoopJob(ExecutorFuture<T> future, Func<T> func, ExecutionContext? context) : base(func, context)
    {
        _future = future;
        future._job = this;
    }

    protected override void Deliver(T result, Exception? error)
    {
        _result = result;
        _error = error;
        _future._loop.PostJobCompletion(s_complete, this, null);
    }

    protected override void OnCancelled()
    {
        _cancelled = true;
        _future._loop.PostJobCompletion(s_complete, this, null);
    }

    protected override void OnFailed(Exception error)
    {
        _error = error;
        _future._loop.PostJobCompletion(s_complete, this, null);
    }

    private void CompleteOnLoop() => _future.Complete(_result, _error, _cancelled);
}
