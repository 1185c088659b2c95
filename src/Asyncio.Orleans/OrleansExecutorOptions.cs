namespace Asyncio.Orleans;

/// <summary>How an <see cref="OrleansExecutor"/> sends jobs.</summary>
public sealed class OrleansExecutorOptions
{
    /// <summary>
    /// How many times a job marked <see cref="IdempotentJobAttribute"/> is sent again after the silo running it was
    /// lost (default 2); a job without the mark is never sent twice.
    /// </summary>
    public int IdempotentRetries { get; set; } = 2;

    /// <summary>
    /// How often the executor checks that the silos running its jobs are still there (default 1 s). Orleans itself
    /// does not fail a call whose silo died: without this check, such a job would wait for the call's timeout.
    /// </summary>
    public TimeSpan SiloCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a silo may take to answer the check before it counts as lost (default 10 s: a silo busy with jobs
    /// still answers at once, the check runs beside them, but a starved machine may be slow).
    /// </summary>
    public TimeSpan SiloCheckTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
