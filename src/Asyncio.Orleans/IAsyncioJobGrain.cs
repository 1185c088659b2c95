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
    /// <summary>Runs <paramref name="call"/> on this silo; a cancelled token drops it if it is still queued there.</summary>
    /// <remarks>A job may run for long: the call waits a day, not the cluster's default 30 s (a lost silo ends it sooner).</remarks>
    [ResponseTimeout("1.00:00:00")]
    Task<JobReply> Run(JobCall call, CancellationToken cancellationToken);

    /// <summary>The silo this grain runs on, as <see cref="JobReply.Silo"/> names it: where this key's jobs go, and a liveness check.</summary>
    Task<string> Silo();
}
