using Orleans;

namespace Asyncio.Orleans;

/// <summary>The grain that runs executor jobs on a silo (<see cref="AsyncioJobGrain"/>).</summary>
/// <remarks>
/// A client sends every call to one grain through the same gateway, and a stateless worker runs on the silo of that
/// gateway: the executor spreads its jobs over many grain keys (<see cref="OrleansExecutor"/>), which the client
/// spreads over the gateways.
/// </remarks>
internal interface IAsyncioJobGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Runs <paramref name="call"/> on this silo. A cancelled token drops it if it is still queued there, but only when
    /// Orleans delivers that cancellation to this silo, which it does not always do for a stateless worker: the executor
    /// also sends <see cref="Drop"/>.
    /// </summary>
    /// <remarks>A job may run for long: the call waits a day, not the cluster's default 30 s (a lost silo ends it sooner).</remarks>
    [ResponseTimeout("1.00:00:00")]
    Task<JobReply> Run(JobCall call, CancellationToken cancellationToken);

    /// <summary>
    /// Drops the job <paramref name="job"/> if it is queued on this silo, or when it arrives if it has not yet: sent by
    /// the executor when a job's call is cancelled, through the job's own grain key, so through the gateway the job took
    /// and to the silo that holds it (as a rule: the reply says which silo answered and whether it held the job).
    /// </summary>
    Task<JobDropReply> Drop(Guid job);

    /// <summary>The silo this grain runs on, as <see cref="JobReply.Silo"/> names it: where this key's jobs go, and a liveness check.</summary>
    Task<string> Silo();
}
