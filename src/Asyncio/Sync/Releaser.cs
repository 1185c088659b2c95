namespace Asyncio;

/// <summary>Something a <see cref="Releaser"/> gives back: a lock, a semaphore, a condition's lock.</summary>
internal interface IReleasable
{
    /// <summary>Releases one acquisition.</summary>
    void Release();
}

/// <summary>
/// What acquiring a lock, a semaphore or a limiter returns, so that <c>using (await x.AcquireAsync()) { ... }</c>
/// releases on leaving the block.
/// <para>asyncio: the <c>async with</c> form of <c>Lock</c>, <c>Semaphore</c>, <c>Condition</c>, <c>AsyncLimiter</c>.</para>
/// </summary>
/// <remarks>Disposing releases once per dispose: dispose it exactly once, as <c>using</c> does.</remarks>
public readonly struct Releaser : IDisposable
{
    /// <summary>What to release; null for a releaser that does nothing (a rate limiter's).</summary>
    private readonly IReleasable? _owner;

    internal Releaser(IReleasable? owner) => _owner = owner;

    /// <summary>Releases the acquisition (nothing for a rate limiter, whose capacity drains with time).</summary>
    public void Dispose() => _owner?.Release();
}
