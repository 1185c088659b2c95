using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace Asyncio;

/// <summary>
/// Runs static methods in worker processes, for CPU-bound work that should use several cores without
/// sharing memory. At most <see cref="MaxWorkers"/> processes are started, as work arrives; each runs one
/// job at a time. If a worker dies, the job it ran fails with <see cref="BrokenProcessPool"/>, the pool
/// is broken (<see cref="IsBroken"/>): queued jobs fail, new ones are refused, the other workers are stopped.
/// <para>asyncio: <c>concurrent.futures.ProcessPoolExecutor(max_workers)</c>.</para>
/// </summary>
/// <remarks>
/// <para>What crosses the process boundary, and therefore what a job must be (Python's "picklable"):</para>
/// <list type="bullet">
/// <item>the function is a <b>static method</b> (a method group such as <c>Primes.Count</c>, not a lambda, which
/// compiles to an instance method of a closure class), not generic, declared in an assembly that is a file on
/// disk the worker can load by path (its dependencies are found through its <c>.deps.json</c> or next to it);</item>
/// <item>the argument and the result round-trip through <see cref="JsonSerializer"/> (their declared types are
/// used on both sides);</item>
/// <item>an exception comes back as a <see cref="RemoteException"/> with the type name, message and stack trace;</item>
/// <item>static state is per process: a job sees the worker's own statics, never the parent's.</item>
/// </list>
/// <para>Workers are <c>dotnet aio-worker.dll</c> processes (see <see cref="WorkerLauncher"/>): the .NET runtime
/// must be installed, so single-file and native AOT apps cannot use this class. What jobs write to
/// <see cref="Console.Out"/> is forwarded to this process's console; standard error is shared.</para>
/// <para>No worker outlives the program that started it: the workers still alive when it exits or gets SIGTERM are
/// killed, busy or not (see <see cref="LiveWorkerProcesses"/>), and a worker whose parent died without a chance to
/// do so (SIGKILL, a crash) notices within a fraction of a second and exits (see <see cref="ParentWatchdog"/>).</para>
/// </remarks>
[DebuggerDisplay("ProcessPoolExecutor max={MaxWorkers} broken={IsBroken}")]
public sealed class ProcessPoolExecutor : IExecutor
{
    private readonly List<ProcessWorker> _workers = new();

    /// <summary>
    /// Creates the pool; no process starts before the first job.
    /// <para>asyncio: <c>ProcessPoolExecutor(max_workers=None)</c>.</para>
    /// </summary>
    /// <param name="maxWorkers">The most worker processes; null for the number of processors.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxWorkers"/> is zero or less.</exception>
    public ProcessPoolExecutor(int? maxWorkers = null)
    {
        int max = maxWorkers ?? Environment.ProcessorCount;
        if (max <= 0) throw new ArgumentOutOfRangeException(nameof(maxWorkers), "max_workers must be greater than 0");
        MaxWorkers = max;
        Queue = new WorkQueue<ProcessJob>(max, static (reason, cause) => new BrokenProcessPool(reason, cause));
    }

    /// <summary>The most worker processes the pool starts.</summary>
    public int MaxWorkers { get; }

    /// <summary>
    /// True once a worker died or could not start: every later <c>Submit</c> throws <see cref="BrokenProcessPool"/>.
    /// <para>asyncio: <c>ProcessPoolExecutor._broken</c>.</para>
    /// </summary>
    public bool IsBroken => Queue.IsBroken;

    internal WorkQueue<ProcessJob> Queue { get; }

    /// <summary>The ids of the worker processes started so far (for tests that kill one).</summary>
    internal IReadOnlyList<int> WorkerProcessIds
    {
        get
        {
            lock (_workers) return _workers.Select(w => w.ProcessId).OfType<int>().ToList();
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="func"/> is not a static, non-generic method in an assembly on disk.</exception>
    /// <exception cref="BrokenProcessPool">The pool is broken.</exception>
    public Task<TResult> Submit<TResult>(Func<TResult> func, CancellationToken cancellationToken = default) =>
        SubmitCall<TResult>(func, [], cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="func"/> is not a static, non-generic method in an assembly on disk.</exception>
    /// <exception cref="NotSupportedException"><paramref name="arg"/> cannot be serialized to JSON.</exception>
    /// <exception cref="BrokenProcessPool">The pool is broken.</exception>
    public Task<TResult> Submit<TArg, TResult>(Func<TArg, TResult> func, TArg arg, CancellationToken cancellationToken = default) =>
        SubmitCall<TResult>(func, [JsonSerializer.SerializeToElement(arg)], cancellationToken);

    /// <inheritdoc/>
    public Task Submit(Action action, CancellationToken cancellationToken = default) =>
        SubmitCall<JsonElement?>(action, [], cancellationToken);

    /// <summary>
    /// Runs <paramref name="func"/> on every item in the workers and yields the results in the order of the
    /// items; see <see cref="ThreadPoolExecutor.Map{TArg, TResult}(Func{TArg, TResult}, IEnumerable{TArg}, double?)"/>.
    /// <para>asyncio: <c>ProcessPoolExecutor.map(fn, iterable, timeout=None)</c> (one item per call: no <c>chunksize</c>).</para>
    /// </summary>
    /// <typeparam name="TArg">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="func">A static method.</param>
    /// <param name="items">The items.</param>
    /// <param name="timeout">Seconds from this call after which a result not yet ready throws <see cref="TimeoutException"/>.</param>
    public IEnumerable<TResult> Map<TArg, TResult>(Func<TArg, TResult> func, IEnumerable<TArg> items, double? timeout = null) =>
        ExecutorMap.Run(this, func, items, timeout);

    /// <inheritdoc cref="Map{TArg, TResult}(Func{TArg, TResult}, IEnumerable{TArg}, double?)"/>
    public IEnumerable<TResult> Map<TArg, TResult>(Func<TArg, TResult> func, IEnumerable<TArg> items, TimeSpan timeout) =>
        ExecutorMap.Run(this, func, items, timeout.TotalSeconds);

    /// <inheritdoc/>
    /// <remarks>
    /// Each worker exits when the queue is empty (its standard input is closed). With <c>wait: false</c> a running job
    /// still runs to its end, unless the program exits first: then its worker is killed.
    /// </remarks>
    public void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        foreach (ProcessJob job in Queue.Shutdown(cancelFutures)) job.TryCancel();
        if (!wait) return;
        ProcessWorker[] workers;
        lock (_workers) workers = _workers.ToArray();
        foreach (ProcessWorker worker in workers) worker.Join(Timeout.InfiniteTimeSpan);
    }

    /// <summary>Shuts down and waits (asyncio: leaving <c>with ProcessPoolExecutor() as pool:</c>).</summary>
    public void Dispose() => Shutdown(wait: true);

    private Task<TResult> SubmitCall<TResult>(Delegate func, JsonElement[] args, CancellationToken cancellationToken)
    {
        MethodInfo method = CheckJob(func, nameof(ProcessPoolExecutor));
        string location = method.Module.Assembly.Location;
        if (string.IsNullOrEmpty(location))
        {
            throw new ArgumentException($"The assembly of {method.Name} is not a file on disk: a worker process cannot load it.", nameof(func));
        }
        var job = new ProcessJob<TResult>(WorkerProtocol.Encode(new WorkRequest(location, method.MetadataToken, args)));
        if (Queue.Enqueue(job)) StartWorker();
        job.Completion.CancelWith(job, cancellationToken);
        return job.Completion.Task;
    }

    /// <summary>
    /// The method a job delegate calls, checked for what another process can run: one static, non-generic method
    /// of a non-generic type. Shared with the other executors that send jobs out of the process (the cluster's).
    /// </summary>
    /// <param name="func">The job delegate.</param>
    /// <param name="executor">The executor's name, for the messages.</param>
    /// <exception cref="ArgumentException">The delegate is a lambda, an instance method, a multicast delegate or generic.</exception>
    internal static MethodInfo CheckJob(Delegate func, string executor)
    {
        ArgumentNullException.ThrowIfNull(func);
        MethodInfo method = func.Method;
        if (!method.IsStatic || func.Target is not null || func.GetInvocationList().Length != 1)
        {
            throw new ArgumentException(
                $"{executor} runs static methods only (a method group, not a lambda): {method.DeclaringType?.Name}.{method.Name} is not static.",
                nameof(func));
        }
        if (method.IsGenericMethod || method.DeclaringType is null || method.DeclaringType.ContainsGenericParameters || method.DeclaringType.IsGenericType)
        {
            throw new ArgumentException($"{executor} cannot run the generic method {method.Name}.", nameof(func));
        }
        return method;
    }

    private void StartWorker()
    {
        ProcessWorker worker;
        lock (_workers)
        {
            worker = new ProcessWorker(this, _workers.Count);
            _workers.Add(worker);
        }
        worker.Start();
    }

    /// <summary>Breaks the pool: queued jobs fail, the other workers are killed (their jobs fail as they see it).</summary>
    internal void Break(string reason, Exception? cause)
    {
        List<ProcessJob> dropped = Queue.Break(reason, cause);
        if (dropped.Count == 0 && !Queue.IsBroken) return;
        Exception error = Queue.BrokenError();
        foreach (ProcessJob job in dropped) job.Fail(error);
        ProcessWorker[] workers;
        lock (_workers) workers = _workers.ToArray();
        foreach (ProcessWorker worker in workers) worker.Kill();
    }
}
