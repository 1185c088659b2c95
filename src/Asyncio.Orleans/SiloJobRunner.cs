using System.Diagnostics;
using System.Text.Json;
using Orleans;
using Orleans.Runtime;

namespace Asyncio.Orleans;

/// <summary>
/// Runs the jobs that reach one silo, at most <see cref="AsyncioWorkerOptions.MaxConcurrentJobs"/> at a time, on the
/// threads of a <see cref="ThreadPoolExecutor"/>: a job is plain blocking code and must not hold the threads Orleans
/// schedules grains on. A queued job is dropped when its call is cancelled or when the executor asks (<see cref="Drop"/>);
/// a running one runs to its end.
/// </summary>
internal sealed class SiloJobRunner : IDisposable, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The <see cref="JobReply.ErrorType"/> of a job abandoned because its silo is stopping: the executor treats it as a lost silo.</summary>
    public const string SiloStopping = "Asyncio.Orleans.SiloStopping";

    /// <summary>
    /// How long a drop that came before its job is remembered. The job was sent before its drop, over the same
    /// connection as a rule, so it arrives within moments, or never (its call was lost).
    /// </summary>
    private static readonly TimeSpan DropMemory = TimeSpan.FromMinutes(10);

    private readonly ThreadPoolExecutor _pool;

    /// <summary>The drop switch of each job this silo holds (queued or running), by job id; also the lock of <see cref="_early"/>.</summary>
    private readonly Dictionary<Guid, CancellationTokenSource> _held = new();

    /// <summary>Ids of jobs dropped before they arrived (or after they ended), oldest first, with when, for <see cref="DropMemory"/>.</summary>
    private readonly Queue<(Guid Job, long At)> _earlyOrder = new();

    /// <summary>The ids of <see cref="_earlyOrder"/>: a job that arrives with one of them is dropped at once.</summary>
    private readonly HashSet<Guid> _early = new();

    /// <summary>Cancelled when the silo starts to stop: the calls of running jobs end at once, not after the grains' deactivation timeout.</summary>
    private readonly CancellationTokenSource _stopping = new();

    public SiloJobRunner(AsyncioWorkerOptions options, ILocalSiloDetails silo)
    {
        _pool = new ThreadPoolExecutor(options.MaxConcurrentJobs, threadNamePrefix: "asyncio-orleans");
        Silo = $"{silo.Name} at {silo.SiloAddress.Endpoint}";
    }

    /// <summary>The silo whose job the current thread runs (null outside jobs): lets in-process tests see where a job landed.</summary>
    [ThreadStatic]
    internal static string? t_currentSilo;

    /// <summary>This silo as the replies and errors name it: its name and endpoint.</summary>
    public string Silo { get; }

    /// <summary>Queues <paramref name="call"/>; it is dropped while queued if <paramref name="cancellationToken"/> is cancelled or <see cref="Drop"/> names it.</summary>
    /// <exception cref="OperationCanceledException">The job was dropped.</exception>
    public async Task<JobReply> Run(JobCall call, CancellationToken cancellationToken)
    {
        using var drop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (_held)
        {
            if (_early.Contains(call.JobId)) throw new OperationCanceledException($"job {call.JobId} was dropped before it reached silo {Silo}");
            _held[call.JobId] = drop;
        }
        try
        {
            Task<JobReply> job = _pool.Submit(() => Execute(call), drop.Token);
            return await job.WaitAsync(_stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !drop.IsCancellationRequested)
        {
            return new JobReply(Silo, null, SiloStopping, $"silo {Silo} is stopping", null, 0);
        }
        finally
        {
            lock (_held)
            {
                if (_held.TryGetValue(call.JobId, out CancellationTokenSource? held) && held == drop) _held.Remove(call.JobId);
            }
        }
    }

    /// <summary>
    /// Drops the job <paramref name="jobId"/>: if it is queued here it never runs (a running one runs to its end); if it
    /// is not here, it is remembered for <see cref="DropMemory"/> and dropped if it arrives.
    /// </summary>
    public JobDropReply Drop(Guid jobId)
    {
        lock (_held)
        {
            long now = Environment.TickCount64;
            while (_earlyOrder.TryPeek(out var oldest) && now - oldest.At > (long)DropMemory.TotalMilliseconds)
            {
                _early.Remove(_earlyOrder.Dequeue().Job);
            }
            // Under the lock: the job's call removes its source under it before disposing it.
            if (_held.TryGetValue(jobId, out CancellationTokenSource? held)) held.Cancel();
            else if (_early.Add(jobId)) _earlyOrder.Enqueue((jobId, now));
            return new JobDropReply(Silo, held is not null);
        }
    }

    /// <summary>The silo's first step when it stops (the last stage it started): abandon the jobs' calls.</summary>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloJobRunner), ServiceLifecycleStage.Active, static _ => Task.CompletedTask, OnStop);

    /// <summary>Stops the job threads when the silo is disposed; jobs still running are abandoned with it.</summary>
    public void Dispose() => _pool.Shutdown(wait: false, cancelFutures: true);

    private Task OnStop(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        return Task.CompletedTask;
    }

    private JobReply Execute(JobCall call)
    {
        long start = Stopwatch.GetTimestamp();
        WorkReply reply;
        t_currentSilo = Silo;
        try
        {
            var args = new JsonElement[call.Args.Length];
            for (int i = 0; i < args.Length; i++) args[i] = JsonElement.Parse(call.Args[i]);
            reply = ProcessWorkerHost.Invoke(JobAssemblies.Resolve(call, Silo), args);
        }
        catch (Exception error)
        {
            reply = ProcessWorkerHost.Error(error);
        }
        finally
        {
            t_currentSilo = null;
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return reply switch
        {
            ResultReply result => new JobReply(Silo, result.Value is JsonElement value ? value.GetRawText() : "null", null, null, null, seconds),
            ErrorReply error => new JobReply(Silo, null, error.Type, error.Message, error.Stack, seconds),
            _ => throw new UnreachableException("a job ends with a result or an error"),
        };
    }
}
