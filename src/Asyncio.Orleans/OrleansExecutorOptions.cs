namespace Asyncio.Orleans;

/// <summary>How an <see cref="OrleansExecutor"/> sends jobs.</summary>
public sealed class OrleansExecutorOptions
{
    /// <summary>
    /// How many times a job marked <see cref="IdempotentJobAttribute"/> is sent again after the silo running it was
    /// lost (default 2); a job without the mark is never sent twice.
    /// </summary>
    public int IdempotentRetries { get; set; } = 2;
}
