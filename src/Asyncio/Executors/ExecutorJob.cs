namespace Asyncio;

/// <summary>
/// One unit of work of an executor, with the life cycle of a <c>concurrent.futures.Future</c>:
/// pending, then running, then done; or cancelled while still pending.
/// </summary>
/// <remarks>
/// Every transition is a compare-and-swap, because a job is touched from several threads: the worker that
/// runs it, the thread that cancels it (a token, the loop, <c>Shutdown(cancelFutures: true)</c>), and the
/// thread that breaks the pool. Exactly one terminal transition wins, so exactly one of
/// <see cref="OnCancelled"/>, <see cref="OnFailed"/> or the subclass's own completion is ever called.
/// </remarks>
internal abstract class ExecutorJob
{
    private const int Pending = 0;
    private const int Running = 1;
    private const int Done = 2;
    private const int Cancelled = 3;

    /// <summary>One of the constants above.</summary>
    private int _state;

    /// <summary>Pending to running; false if the job was cancelled (or failed) first.</summary>
    public bool TryStart() => Interlocked.CompareExchange(ref _state, Running, Pending) == Pending;

    /// <summary>Pending to cancelled; false once the job has started (a running job cannot be stopped).</summary>
    public bool TryCancel()
    {
        if (Interlocked.CompareExchange(ref _state, Cancelled, Pending) != Pending) return false;
        OnCancelled();
        return true;
    }

    /// <summary>Pending or running to done with <paramref name="error"/> (the pool broke under the job).</summary>
    public void Fail(Exception error)
    {
        int state = Volatile.Read(ref _state);
        while (state is Pending or Running)
        {
            int seen = Interlocked.CompareExchange(ref _state, Done, state);
            if (seen == state)
            {
                OnFailed(error);
                return;
            }
            state = seen;
        }
    }

    /// <summary>Running to done; the worker calls this before delivering the outcome.</summary>
    protected bool TryFinish() => Interlocked.CompareExchange(ref _state, Done, Running) == Running;

    /// <summary>Delivers the cancellation (any thread).</summary>
    protected abstract void OnCancelled();

    /// <summary>Delivers a failure of the pool (any thread).</summary>
    protected abstract void OnFailed(Exception error);
}
