using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Orleans;

namespace Asyncio.Orleans;

/// <summary>
/// Runs the jobs of a <see cref="ProcessPoolExecutor"/> on the silos of an Orleans cluster: the same static methods
/// with JSON arguments and results, the same <see cref="RemoteException"/> for a job's exception, spread over every
/// silo that called <see cref="AsyncioSiloBuilderExtensions.AddAsyncioWorkers"/>.
/// <para>asyncio: <c>concurrent.futures.ProcessPoolExecutor</c>, with silos for worker processes.</para>
/// </summary>
/// <remarks>
/// <para>A job is the method's assembly identity, build and metadata token, and its arguments as JSON; each silo runs
/// it from the assembly of that identity it has loaded (see <see cref="AsyncioWorkerOptions.JobAssemblies"/>). Jobs go
/// to the silos' gateways in turn; each silo runs at most <see cref="AsyncioWorkerOptions.MaxConcurrentJobs"/> at once
/// and queues the rest.</para>
/// <para>Cancelling a job's token ends its task cancelled at once, and the silo that holds the job is told to drop it
/// (through the job's own grain key, hence the gateway and silo the job went to): a job still queued there never runs; a
/// job already running runs to its end on the silo, its result dropped.</para>
/// <para>A silo lost while it holds a job fails that job with <see cref="SiloLostException"/> (or sends it again, for a
/// method marked <see cref="IdempotentJobAttribute"/>); the executor keeps serving on the other silos: it is never broken.</para>
/// <para>The executor does not own the client: disposing it waits for its jobs, and leaves the client connected.</para>
/// </remarks>
[DebuggerDisplay("OrleansExecutor pending={Pending} shutdown={IsShutdown}")]
public sealed class OrleansExecutor : IExecutor
{
    /// <summary>How many times a job whose call was not delivered (its silo already gone) is sent to another silo.</summary>
    private const int MaxUndelivered = 3;

    private readonly SiloRoutes _routes;
    private readonly OrleansExecutorOptions _options;

    /// <summary>Cancels every job not yet finished: <c>Shutdown(cancelFutures: true)</c>.</summary>
    private readonly CancellationTokenSource _cancelAll = new();

    /// <summary>
    /// The jobs not yet finished (a cancelled one until its silo was told to drop it), for <c>Shutdown(wait: true)</c>;
    /// also the lock of <see cref="_isShutdown"/>.
    /// </summary>
    private readonly HashSet<Task> _pending = new();

    private bool _isShutdown;

    /// <summary>
    /// Creates the executor over a connected client.
    /// <para>asyncio: <c>ProcessPoolExecutor()</c>, with the cluster's silos for workers.</para>
    /// </summary>
    /// <param name="client">A client of a cluster whose silos called <see cref="AsyncioSiloBuilderExtensions.AddAsyncioWorkers"/>.</param>
    /// <param name="options">Retries of idempotent jobs; null for the defaults.</param>
    public OrleansExecutor(IClusterClient client, OrleansExecutorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _options = options ?? new OrleansExecutorOptions();
        if (_options.IdempotentRetries < 0) throw new ArgumentOutOfRangeException(nameof(options), "IdempotentRetries must not be negative");
        if (_options.SiloCheckInterval <= TimeSpan.Zero || _options.SiloCheckTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "SiloCheckInterval and SiloCheckTimeout must be positive");
        }
        _routes = new SiloRoutes(key => client.GetGrain<IAsyncioJobGrain>(key), _options);
    }

    /// <summary>True once <see cref="Shutdown"/> was called: <c>Submit</c> throws.</summary>
    public bool IsShutdown
    {
        get
        {
            lock (_pending) return _isShutdown;
        }
    }

    /// <summary>How many submitted jobs have not finished yet (a cancelled one counts until its silo was told to drop it).</summary>
    public int Pending
    {
        get
        {
            lock (_pending) return _pending.Count;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="func"/> is not a static, non-generic method.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    public Task<TResult> Submit<TResult>(Func<TResult> func, CancellationToken cancellationToken = default) =>
        ResultOf(Send<TResult>(func, [], cancellationToken));

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="func"/> is not a static, non-generic method.</exception>
    /// <exception cref="NotSupportedException"><paramref name="arg"/> cannot be serialized to JSON.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    public Task<TResult> Submit<TArg, TResult>(Func<TArg, TResult> func, TArg arg, CancellationToken cancellationToken = default) =>
        ResultOf(Send<TResult>(func, [JsonSerializer.Serialize(arg)], cancellationToken));

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="action"/> is not a static, non-generic method.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    public Task Submit(Action action, CancellationToken cancellationToken = default) =>
        Send<JsonElement?>(action, [], cancellationToken);

    /// <summary>
    /// Runs <paramref name="func"/>(<paramref name="arg"/>) on a silo, as <see cref="Submit{TArg, TResult}"/>, and tells
    /// which silo ran it and for how long.
    /// <para>asyncio: <c>Executor.submit(fn, arg)</c>, with the worker's name.</para>
    /// </summary>
    /// <typeparam name="TArg">The argument type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="func">A static method.</param>
    /// <param name="arg">Its argument.</param>
    /// <param name="cancellationToken">Cancels the call (see the class remarks).</param>
    /// <exception cref="ArgumentException"><paramref name="func"/> is not a static, non-generic method.</exception>
    /// <exception cref="InvalidOperationException">The executor was shut down.</exception>
    public Task<ClusterJobResult<TResult>> SubmitWithSilo<TArg, TResult>(Func<TArg, TResult> func, TArg arg, CancellationToken cancellationToken = default) =>
        Send<TResult>(func, [JsonSerializer.Serialize(arg)], cancellationToken);

    /// <summary>
    /// Runs <paramref name="func"/> on every item on the silos and yields the results in the order of the items; see
    /// <see cref="ProcessPoolExecutor.Map{TArg, TResult}(Func{TArg, TResult}, IEnumerable{TArg}, double?)"/>.
    /// <para>asyncio: <c>Executor.map(fn, iterable, timeout=None)</c>.</para>
    /// </summary>
    /// <typeparam name="TArg">The item type.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="func">A static method.</param>
    /// <param name="items">The items.</param>
    /// <param name="timeout">Seconds from this call after which a result not yet ready throws <see cref="TimeoutException"/>.</param>
    public IEnumerable<TResult> Map<TArg, TResult>(Func<TArg, TResult> func, IEnumerable<TArg> items, double? timeout = null) =>
        ExecutorMap.Run(this, func, items, timeout);

    /// <inheritdoc/>
    /// <remarks>
    /// With <paramref name="cancelFutures"/> every job not yet finished is cancelled: those still queued on a silo are
    /// dropped there (with <paramref name="wait"/>, this returns once their silos were told); the executor cannot tell a
    /// running job from a queued one, so running jobs' tasks end cancelled too (Python lets them finish). The silos and
    /// the client are left running.
    /// </remarks>
    public void Shutdown(bool wait = true, bool cancelFutures = false)
    {
        Task[] pending;
        lock (_pending)
        {
            _isShutdown = true;
            pending = _pending.ToArray();
        }
        if (pending.Length == 0) _routes.Dispose();
        if (cancelFutures) _cancelAll.Cancel();
        if (!wait) return;
        // Their outcomes belong to whoever holds the tasks: only the end matters here.
        Task.WhenAll(pending).ContinueWith(static _ => { }, TaskScheduler.Default).Wait();
    }

    /// <summary>Shuts down and waits (asyncio: leaving <c>with ProcessPoolExecutor() as pool:</c>).</summary>
    public void Dispose() => Shutdown(wait: true);

    private static async Task<T> ResultOf<T>(Task<ClusterJobResult<T>> job) => (await job.ConfigureAwait(false)).Result;

    private Task<ClusterJobResult<T>> Send<T>(Delegate func, string[] args, CancellationToken cancellationToken)
    {
        MethodInfo method = ProcessPoolExecutor.CheckJob(func, nameof(OrleansExecutor));
        string name = $"{method.DeclaringType!.FullName}.{method.Name}";
        var call = new JobCall(method.Module.Assembly.FullName!, method.Module.ModuleVersionId, method.MetadataToken, name, args, Guid.NewGuid());
        int attempts = method.IsDefined(typeof(IdempotentJobAttribute)) ? 1 + _options.IdempotentRetries : 1;
        // Continuations run asynchronously, so an awaiting caller never runs on (and holds up) an Orleans thread.
        var completion = new TaskCompletionSource<ClusterJobResult<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Ends after the job's outcome and, for a cancelled job, once its silo has been told to drop it.
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_pending)
        {
            if (_isShutdown) throw new InvalidOperationException("cannot schedule new futures after shutdown");
            _pending.Add(finished.Task);
        }
        _ = RunAsync(call, attempts, completion, finished, cancellationToken);
        return completion.Task;
    }

    /// <summary>
    /// Calls the job grain until the job has an outcome, and delivers it; a cancelled job's task ends cancelled at once,
    /// then its silo is told to drop it.
    /// </summary>
    private async Task RunAsync<T>(JobCall job, int attempts, TaskCompletionSource<ClusterJobResult<T>> completion,
        TaskCompletionSource finished, CancellationToken cancellationToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cancelAll.Token);
        // The grain and silo of the call in flight, if any: where a cancelled job is dropped.
        (IAsyncioJobGrain Grain, string Silo)? sentTo = null;
        try
        {
            int undelivered = 0;
            for (int attempt = 1; ; attempt++)
            {
                sentTo = null;
                cancel.Token.ThrowIfCancellationRequested();
                // Not sent yet: a key whose silo does not answer is skipped inside, whatever the job.
                (IAsyncioJobGrain grain, string silo) = await _routes.Next(cancel.Token).ConfigureAwait(false);
                CancellationTokenSource lost = _routes.Enter(silo);
                JobReply reply;
                try
                {
                    using var call = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token, lost.Token);
                    sentTo = (grain, silo);
                    reply = await grain.Run(job, call.Token).ConfigureAwait(false);
                    sentTo = null;
                    if (reply.ErrorType == SiloJobRunner.SiloStopping) throw new SiloStoppingException(reply.ErrorMessage!);
                }
                catch (Exception error) when (!cancel.IsCancellationRequested
                    && (lost.IsCancellationRequested || SiloLoss.Is(error) || error is TimeoutException or SiloStoppingException))
                {
                    bool noticed = lost.IsCancellationRequested;
                    if (!noticed) _routes.Lost(silo);
                    // Never delivered (the silo was gone when the call was sent): sending it again is safe for any job.
                    if (SiloLoss.NotDelivered(error) && undelivered++ < MaxUndelivered)
                    {
                        attempt--;
                        continue;
                    }
                    if (attempt < attempts) continue;
                    string reason = error is SiloStoppingException ? "it is stopping"
                        : noticed ? "it stopped answering the executor's checks" : error.Message;
                    throw new SiloLostException(job.Method, silo, attempt, reason, error);
                }
                finally
                {
                    // Not disposed: a silo check may be cancelling it right now (a source without a timer holds nothing).
                    _routes.Leave(silo, lost);
                }
                completion.TrySetResult(Decode<T>(reply));
                break;
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            completion.TrySetCanceled(cancellationToken.IsCancellationRequested ? cancellationToken : _cancelAll.Token);
            // Orleans' cancellation of the call may reach another silo's activation of the stateless grain, so a job
            // queued on its silo could still run: tell that silo explicitly.
            if (sentTo is var (grain, silo)) await _routes.Drop(grain, silo, job.JobId).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            completion.TrySetException(error);
        }
        finally
        {
            bool last;
            lock (_pending)
            {
                _pending.Remove(finished.Task);
                last = _isShutdown && _pending.Count == 0;
            }
            // The silo checks end with the last job of a shut-down executor.
            if (last) _routes.Dispose();
            finished.SetResult();
        }
    }

    /// <exception cref="RemoteException">The job threw on the silo (its <see cref="Exception.Data"/> has the silo under <c>"Silo"</c>).</exception>
    /// <exception cref="JsonException">The result does not deserialize into <typeparamref name="T"/>.</exception>
    private static ClusterJobResult<T> Decode<T>(JobReply reply)
    {
        if (reply.ErrorType is not null)
        {
            throw new RemoteException(reply.ErrorType, reply.ErrorMessage ?? "", reply.ErrorStack) { Data = { ["Silo"] = reply.Silo } };
        }
        T result = JsonSerializer.Deserialize<T>(reply.Result ?? "null")!;
        return new ClusterJobResult<T>(result, reply.Silo, TimeSpan.FromSeconds(reply.Seconds));
    }
}

/// <summary>A silo answered that it is stopping: its job was abandoned (internal: the caller sees <see cref="SiloLostException"/>).</summary>
internal sealed class SiloStoppingException(string message) : Exception(message);
