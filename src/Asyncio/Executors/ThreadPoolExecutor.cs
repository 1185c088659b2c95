using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// Runs functions on its own worker threads: at most <see cref="MaxWorkers"/>, started one by one as work
/// arrives and no idle worker can take it, and kept until <see cref="Shutdown"/>. Unlike the .NET thread
/// pool, a blocking job holds one of a known number of threads, so the pool bounds concurrency exactly
/// as Python's does.
/// <para>asyncio: <c>concurrent.futures.ThreadPoolExecutor(max_workers, thread_name_prefix, initializer)</c>.</para>
/// </summary>
/// <remarks>
/// <para>Jobs run in the worker's own, clean <see cref="ExecutionContext"/>: <see cref="AsyncLocal{T}"/> values
/// of the submitter are not seen (Python's workers do not see the submitter's contextvars either), and a job's
/// changes are dropped before the next job. <see cref="Aio.ToThread{T}(Func{T})"/> carries the caller's context.</para>
/// <para>Workers are background threads: a process may exit without shutting the pool down.</para>
/// </remarks>
[DebuggerDisplay("ThreadPoolExecutor max={MaxWorkers} threads={ThreadCount}")]
public sealed class ThreadPoolExecutor : IExecutor
{
    /// <summary>Numbers the default prefixes <c>ThreadPoolExecutor-N</c>.</summary>
    private static int s_poolCounter;

    private readonly WorkQueue<ThreadJob> _queue;
    private readonly string _threadNamePrefix;
    private readonly Action? _initializer;

    /// <summary>Every worker started, for <see cref="Shutdown"/> to join; guarded by itself.</summary>
    private readonly List<Thread> _threads = new();

    /// <summary>
    /// Creates the pool; no thread starts before the first job.
    /// <para>asyncio: <c>ThreadPoolExecutor(max_workers=None, thread_name_prefix='', initializer=None)</c>.</para>
    /// </summary>
    /// <param name="maxWorkers">The most threads; null for <c>min(32, processors + 4)</c>.</param>
    /// <param name="threadNamePrefix">Workers are named <c>{prefix}_{n}</c>; null for <c>ThreadPoolExecutor-{pool}</c>.</param>
    /// <param name="initializer">Runs first on each worker; if it throws, the pool breaks (<see cref="BrokenThreadPool"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is zero or less.</exception>
    public ThreadPoolExecutor(int? maxWorkers = null, string? threadNamePrefix = null, Action? initializer = null)
    {
        int max = maxWorkers ?? Math.Min(32, Environment.ProcessorCount + 4);
        if (max <= 0) throw new ArgumentOutOfRangeException(nameof(maxWorkers), "max_workers must be greater than 0");
        MaxWorkers = max;
        _threadNamePrefix = threadNamePrefix ?? $"ThreadPoolExecutor-{Interlocked.Increment(ref s_poolCounter) - 1}";
        _initializer = initializer;
        _queue = new WorkQueue<ThreadJob>(max, static (reason, cause) => new BrokenThreadPool(reason, cause));
    }

    /// <summary>The most worker threads the pool starts.</summary>
    public int MaxWorkers { get; }

    /// <summary>Worker threads started so far.</summary>
    public int ThreadCount
    {
        get { lock (_threads) return _threads.Count; }
    }

    /// <summary>Workers waiting for a job (for tests that need a worker to be idle before they submit).</summary>
    internal int IdleWorkers => _queue.IdleWorkers;

    /// <summary>True once an initializer failed: pending jobs failed and new ones are refused.</summary>
    public bool IsBroken => _queue.IsBroken;

    /// <inheritdoc/>
    public Task<TResult> Submit<TResult>(Func<TResult> func, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(func);
        var job = new TaskJob<TResult>(func);
        Enqueue(job);
        job.Completion.CancelWith(job, cancellationToken);
        return job.Completion.Task;
    }

    /// <inheritdoc/>
    public Task<TResult> Submit<TArg, TResult>(Func<TArg, TResult> func, TArg arg, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(func);
        return Submit(() => func(arg), cancellationToken);
    }

    /// <inheritdoc/>
    public Task Submit(Action action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        return Submit(() =>
        {
            action();
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="func"/> on every item concurrently and yields the results in the order of the
    /// items. All jobs are submitted before this returns; an item's exception is thrown when its result is
    /// reached; leaving the loop early cancels the jobs not started yet.
    /// <para>asyncio: <c>Executor.map(fn, iterable, timeout=None)</c>.</para>
    /// </summary>
    /// <typeparam name="TArg">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="func">The function.</param>
    /// <param name="items">The items.</param>
    /// <param name="timeout">Seconds from this call after which a result not yet ready throws <see cref="TimeoutException"/>; null waits forever.</param>
    public IEnumerable<TResult> Map<TArg, TResult>(Func<TArg, TResult> func, IEnumerable<TArg> items, double? timeout = null) =>
        ExecutorMap.Run(this, func, items, timeout);

    /// <inheritdoc cref="Map{TArg, TResult}(Func{TArg, TResult}, IEnumerable{TArg}, double?)"/>
    public IEnumerable<TResult> Map<TArg, TResult>(Func<TArg, TResult> func, IEnumerable<TArg> items, TimeSpan timeout) =>
        ExecutorMap.Run(this, func, items, timeout.TotalSeconds);

    /// <inheritdoc/>
    /// <remarks>Queued jobs still run unless <paramref name="cancelFutures"/>; a call from a worker thread does not wait for itself.</remarks>
    public void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        foreach (ThreadJob job in _queue.Shutdown(cancelFutures)) job.TryCancel();
        if (wait) Join(Timeout.InfiniteTimeSpan);
    }

    /// <summary>Shuts down and waits (asyncio: leaving <c>with ThreadPoolExecutor() as pool:</c>).</summary>
    public void Dispose() => Shutdown(wait: true);

    /// <summary>Waits for the workers to exit, up to <paramref name="timeout"/>; true if they all did.</summary>
    internal bool Join(TimeSpan timeout)
    {
        Thread[] threads;
        lock (_threads) threads = _threads.ToArray();
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        foreach (Thread thread in threads)
        {
            if (thread == Thread.CurrentThread) continue;
            if (timeout == Timeout.InfiniteTimeSpan) thread.Join();
            else if (!thread.Join(TimeSpan.FromMilliseconds(Math.Max(0, deadline - Environment.TickCount64)))) return false;
        }
        return true;
    }

    /// <summary>Queues a job and starts a worker if the queue asks for one.</summary>
    internal void Enqueue(ThreadJob job)
    {
        if (!_queue.Enqueue(job)) return;
        Thread thread;
        lock (_threads)
        {
            thread = new Thread(WorkerLoop) { IsBackground = true, Name = $"{_threadNamePrefix}_{_threads.Count}" };
            _threads.Add(thread);
        }
        // UnsafeStart: the worker must not inherit the submitter's ExecutionContext (see the remarks).
        thread.UnsafeStart();
    }

    private void WorkerLoop()
    {
        ExecutionContext clean = ExecutionContext.Capture()!;
        if (_initializer is not null)
        {
            try
            {
                _initializer();
            }
            catch (Exception error)
            {
                var failed = _queue.Break("A thread initializer failed, the thread pool is not usable anymore", error);
                Exception broken = _queue.BrokenError();
                foreach (ThreadJob job in failed) job.Fail(broken);
                return;
            }
        }
        while (_queue.Take() is { } job)
        {
            if (!job.TryStart()) continue;
            job.Execute();
            ExecutionContext.Restore(clean);
        }
    }
}
