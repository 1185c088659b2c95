using System.Diagnostics;
using System.Text.Json;
using Orleans;
using Orleans.Runtime;

namespace Asyncio.Orleans;

/// <summary>
/// Runs the jobs that reach one silo, at most <see cref="AsyncioWorkerOptions.MaxConcurrentJobs"/> at a time, on the
/// threads of a <see cref="ThreadPoolExecutor"/>: a job is plain blocking code and must not hold the threads Orleans
/// schedules grains on. Queued jobs are dropped when their call is cancelled; a running one runs to its end.
/// </summary>
internal sealed class SiloJobRunner : IDisposable, ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The <see cref="JobReply.ErrorType"/> of a job abandoned because its silo is stopping: the executor treats it as a lost silo.</summary>
    public const string SiloStopping = "Asyncio.Orleans.SiloStopping";

    private readonly ThreadPoolExecutor _pool;

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

    public async Task<JobReply> Run(JobCall call, CancellationToken cancellationToken)
    {
        Task<JobReply> job = _pool.Submit(() => Execute(call), cancellationToken);
        try
        {
            return await job.WaitAsync(_stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new JobReply(Silo, null, SiloStopping, $"silo {Silo} is stopping", null, 0);
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
