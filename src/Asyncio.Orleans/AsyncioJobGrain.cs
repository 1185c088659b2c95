using Orleans;
using Orleans.Concurrency;

namespace Asyncio.Orleans;

/// <summary>
/// Runs executor jobs on the silo it lives on: a stateless worker, so every silo answers the calls its gateway
/// receives itself, with one activation that takes every call at once (<c>[Reentrant]</c>) and hands the job
/// to the silo's <see cref="SiloJobRunner"/>, which bounds how many run together.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
internal sealed class AsyncioJobGrain(SiloJobRunner runner) : Grain, IAsyncioJobGrain
{
    public Task<JobReply> Run(JobCall call, CancellationToken cancellationToken) => runner.Run(call, cancellationToken);

    public Task<JobDropReply> Drop(Guid job) => Task.FromResult(runner.Drop(job));

    public Task<string> Silo() => Task.FromResult(runner.Silo);
}
