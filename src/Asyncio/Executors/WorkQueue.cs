namespace Asyncio;

/// <summary>
/// The queue shared by an executor's workers, and the bookkeeping that starts workers on demand: a new
/// worker only when no idle one can take the job and fewer than the maximum exist
/// (<c>ThreadPoolExecutor._adjust_thread_count</c>'s rule).
/// </summary>
/// <remarks>
/// One lock guards everything. An idle worker waits on it; a submission that finds one "spends" it
/// (decrements <see cref="_idle"/>) and pulses, so two quick submissions never count on the same idle
/// worker. A worker woken to find its job taken by a busier worker just goes idle again.
/// </remarks>
/// <typeparam name="TJob">The executor's job type.</typeparam>
internal sealed class WorkQueue<TJob> where TJob : ExecutorJob
{
    private readonly object _lock = new();
    private readonly Queue<TJob> _jobs = new();
    private readonly int _maxWorkers;

    /// <summary>Makes the error new submissions get once the pool is broken.</summary>
    private readonly Func<string, Exception?, Exception> _makeBroken;

    /// <summary>Workers waiting for a job that no submission has counted on yet.</summary>
    private int _idle;

    /// <summary>Workers started and not exited.</summary>
    private int _workers;

    private bool _shutdown;

    /// <summary>Why the pool broke; null while it works.</summary>
    private string? _brokenReason;

    private Exception? _brokenCause;

    public WorkQueue(int maxWorkers, Func<string, Exception?, Exception> makeBroken)
    {
        _maxWorkers = maxWorkers;
        _makeBroken = makeBroken;
    }

    public bool IsShutdown
    {
        get { lock (_lock) return _shutdown; }
    }

    public bool IsBroken
    {
        get { lock (_lock) return _brokenReason is not null; }
    }

    /// <summary>Queues <paramref name="job"/>; true when the caller must start one more worker.</summary>
    /// <exception cref="InvalidOperationException">Shut down, or broken (the owner's broken error).</exception>
    public bool Enqueue(TJob job)
    {
        lock (_lock)
        {
            if (_brokenReason is not null) throw _makeBroken(_brokenReason, _brokenCause);
            if (_shutdown) throw new InvalidOperationException("cannot schedule new futures after shutdown");
            _jobs.Enqueue(job);
            if (_idle > 0)
            {
                _idle--;
                Monitor.Pulse(_lock);
                return false;
            }
            if (_workers < _maxWorkers)
            {
                _workers++;
                return true;
            }
            return false;
        }
    }

    /// <summary>The next job; blocks while there is none. Null once the pool is shut down (and drained) or broken.</summary>
    public TJob? Take()
    {
        lock (_lock)
        {
            while (true)
            {
                if (_brokenReason is not null) return null;
                if (_jobs.TryDequeue(out TJob? job)) return job;
                if (_shutdown) return null;
                _idle++;
                Monitor.Wait(_lock);
            }
        }
    }

    /// <summary>A worker exited (a process pool's worker can die).</summary>
    public void WorkerExited()
    {
        lock (_lock) _workers--;
    }

    /// <summary>Refuses new jobs and wakes the idle workers so they exit once the queue is empty.</summary>
    /// <returns>The jobs dropped from the queue when <paramref name="cancelPending"/>, for the caller to cancel outside the lock.</returns>
    public List<TJob> Shutdown(bool cancelPending)
    {
        lock (_lock)
        {
            _shutdown = true;
            var dropped = new List<TJob>();
            if (cancelPending) while (_jobs.TryDequeue(out TJob? job)) dropped.Add(job);
            Monitor.PulseAll(_lock);
            return dropped;
        }
    }

    /// <summary>Marks the pool broken; returns the queued jobs, which the caller fails. Only the first call wins.</summary>
    public List<TJob> Break(string reason, Exception? cause)
    {
        lock (_lock)
        {
            var dropped = new List<TJob>();
            if (_brokenReason is not null) return dropped;
            _brokenReason = reason;
            _brokenCause = cause;
            while (_jobs.TryDequeue(out TJob? job)) dropped.Add(job);
            Monitor.PulseAll(_lock);
            return dropped;
        }
    }

    /// <summary>The error a job gets when the pool broke.</summary>
    public Exception BrokenError()
    {
        lock (_lock) return _makeBroken(_brokenReason ?? "broken", _brokenCause);
    }
}
