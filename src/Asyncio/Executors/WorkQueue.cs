namespace Asyncio;

/// <summary>
/// The queue shared by an executor's workers, and the bookkeeping that starts workers on demand: a new
/// worker only when no idle one can take the job and fewer than the maximum exist
/// (<c>ThreadPoolExecutor._adjust_thread_count</c>'s rule).
/// </summary>
/// <remarks>
/// One lock guards everything. <see cref="_idle"/> counts the workers inside <see cref="Take"/> with nothing to
/// do, kept exact by the workers themselves; a submission starts a worker only when the queued jobs
/// outnumber them. An idle worker first spins briefly outside the lock (a loop that awaits jobs one after
/// another then finds its worker awake, saving a kernel wake-up per job), then waits on the lock's monitor.
/// </remarks>
/// <typeparam name="TJob">The executor's job type.</typeparam>
internal sealed class WorkQueue<TJob> where TJob : ExecutorJob
{
    private readonly object _lock = new();
    private readonly Queue<TJob> _jobs = new();
    private readonly int _maxWorkers;

    /// <summary>Makes the error new submissions get once the pool is broken.</summary>
    private readonly Func<string, Exception?, Exception> _makeBroken;

    /// <summary>Workers inside <see cref="Take"/> with no job: spinning or waiting.</summary>
    private int _idle;

    /// <summary>Jobs queued, readable without the lock by spinning workers.</summary>
    private volatile int _queued;

    /// <summary>Set with <see cref="_shutdown"/> or a break: tells spinning workers to stop.</summary>
    private volatile bool _stopping;

    /// <summary>How many <see cref="SpinWait"/> rounds an idle worker spins before it blocks.</summary>
    private const int SpinRounds = 30;

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

    /// <summary>Workers waiting for a job: the next <see cref="Enqueue"/> hands its job to one of them rather than ask for a new worker.</summary>
    public int IdleWorkers
    {
        get { lock (_lock) return _idle; }
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
            _queued = _jobs.Count;
            if (_jobs.Count <= _idle)
            {
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
                if (_jobs.TryDequeue(out TJob? job))
                {
                    _queued = _jobs.Count;
                    return job;
                }
                if (_shutdown) return null;
                _idle++;
                SpinThenWait();
                _idle--;
            }
        }
    }

    /// <summary>Spins outside the lock while the queue stays empty, then (lock held again) waits unless work came.</summary>
    private void SpinThenWait()
    {
        Monitor.Exit(_lock);
        try
        {
            var spinner = new SpinWait();
            for (int i = 0; i < SpinRounds && _queued == 0 && !_stopping; i++) spinner.SpinOnce(sleep1Threshold: -1);
        }
        finally
        {
            Monitor.Enter(_lock);
        }
        // Checked under the lock: a job queued after the spin pulsed nobody, so waiting now would miss it.
        if (_jobs.Count == 0 && !_shutdown && _brokenReason is null) Monitor.Wait(_lock);
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
            _stopping = true;
            var dropped = new List<TJob>();
            if (cancelPending) while (_jobs.TryDequeue(out TJob? job)) dropped.Add(job);
            _queued = _jobs.Count;
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
            _queued = 0;
            _stopping = true;
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
