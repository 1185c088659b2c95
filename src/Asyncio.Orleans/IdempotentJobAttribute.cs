namespace Asyncio.Orleans;

/// <summary>
/// Marks a job method as safe to run twice: when the silo running it is lost, an <see cref="OrleansExecutor"/> sends
/// it again to a surviving silo (at most <see cref="OrleansExecutorOptions.IdempotentRetries"/> times) instead of
/// failing it with <see cref="SiloLostException"/>. Only the executor (the client) reads it.
/// <para>asyncio: none (a process pool never retries).</para>
/// </summary>
[AttributeUsage(AttributeTargets.Method, Inherited = false)]
public sealed class IdempotentJobAttribute : Attribute;
