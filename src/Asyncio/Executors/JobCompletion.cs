namespace Asyncio;

/// <summary>
/// The <see cref="Task{TResult}"/> side of a job submitted through <see cref="IExecutor"/>: the task, and the
/// registration that lets a <see cref="CancellationToken"/> cancel the job while it is pending.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
internal sealed class JobCompletion<T>
{
    /// <summary>Continuations run asynchronously, so user code never runs on (and holds up) a worker thread.</summary>
    private readonly TaskCompletionSource<T> _source = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private CancellationTokenRegistration _registration;

    /// <summary>The token that cancels the job, reported by the cancelled task.</summary>
    private CancellationToken _token;

    public Task<T> Task => _source.Task;

    /// <summary>Lets <paramref name="token"/> cancel <paramref name="job"/> while it is pending.</summary>
    public void CancelWith(ExecutorJob job, CancellationToken token)
    {
        if (!token.CanBeCanceled) return;
        _token = token;
        _registration = token.UnsafeRegister(static j => ((ExecutorJob)j!).TryCancel(), job);
    }

    public void SetResult(T result)
    {
        _registration.Dispose();
        _source.TrySetResult(result);
    }

    public void SetException(Exception error)
    {
        _registration.Dispose();
        _source.TrySetException(error);
    }

    public void SetCanceled()
    {
        _registration.Dispose();
        _source.TrySetCanceled(_token);
    }
}
