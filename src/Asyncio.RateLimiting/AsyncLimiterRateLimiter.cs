using System.Globalization;
using System.Threading.RateLimiting;

namespace Asyncio.RateLimiting;

/// <summary>
/// An <see cref="AsyncLimiter"/> seen as a <see cref="RateLimiter"/>, for .NET code that takes one
/// (ASP.NET Core's rate-limiting middleware, <c>HttpClient</c> handlers, Polly). A permit is one unit of the
/// limiter; leases need no disposal to give capacity back (the bucket drains with time, as in aiolimiter).
/// </summary>
/// <remarks>
/// <see cref="RateLimiter.AcquireAsync"/> may be called from any thread: the acquisition runs on the
/// limiter's loop (through <see cref="Aio.RunCoroutineThreadsafe{T}(Coroutine{T}, EventLoop, CancellationToken)"/>).
/// <see cref="RateLimiter.AttemptAcquire"/> reads the loop's state synchronously, so it must be called on
/// the loop's thread.
/// </remarks>
public sealed class AsyncLimiterRateLimiter : RateLimiter
{
    /// <summary>The limiter doing the work.</summary>
    private readonly AsyncLimiter _limiter;

    /// <summary>The loop the limiter runs on.</summary>
    private readonly EventLoop _loop;

    /// <summary>Leases granted.</summary>
    private long _successful;

    /// <summary>Leases refused by <see cref="RateLimiter.AttemptAcquire"/>.</summary>
    private long _failed;

    /// <summary>Wraps <paramref name="limiter"/>, which runs on <paramref name="loop"/>.</summary>
    public AsyncLimiterRateLimiter(AsyncLimiter limiter, EventLoop loop)
    {
        _limiter = limiter ?? throw new ArgumentNullException(nameof(limiter));
        _loop = loop ?? throw new ArgumentNullException(nameof(loop));
    }

    /// <summary>Not tracked: the bucket's level lives on the loop's thread.</summary>
    public override TimeSpan? IdleDuration => null;

    /// <summary>Counts of leases granted and refused (available permits and queue length are not tracked across threads).</summary>
    public override RateLimiterStatistics? GetStatistics() => new()
    {
        TotalSuccessfulLeases = Interlocked.Read(ref _successful),
        TotalFailedLeases = Interlocked.Read(ref _failed),
    };

    /// <summary>Grants the permits if the bucket has room and nobody waits (<see cref="AsyncLimiter.TryAcquire"/>).</summary>
    /// <exception cref="InvalidOperationException">Not called on the limiter's loop thread.</exception>
    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        CheckPermitCount(permitCount);
        if (!IsOnLoop()) throw new InvalidOperationException("AttemptAcquire must be called on the limiter's event loop thread; use AcquireAsync from other threads.");
        if (_limiter.TryAcquire(permitCount)) return Granted();
        Interlocked.Increment(ref _failed);
        return Lease.Refused;
    }

    /// <summary>Waits on the limiter's loop until the permits fit (<see cref="AsyncLimiter.AcquireAsync"/>).</summary>
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        CheckPermitCount(permitCount);
        await Aio.RunCoroutineThreadsafe(AcquireOnLoop(permitCount), _loop, cancellationToken).ConfigureAwait(false);
        return Granted();
    }

    private async Coroutine<bool> AcquireOnLoop(int permitCount)
    {
        await _limiter.AcquireAsync(permitCount);
        return true;
    }

    private void CheckPermitCount(int permitCount)
    {
        if (permitCount > _limiter.MaxRate)
        {
            throw new ArgumentOutOfRangeException(nameof(permitCount), permitCount,
                string.Create(CultureInfo.InvariantCulture, $"Can't acquire more than the maximum capacity of the limiter ({_limiter.MaxRate})."));
        }
    }

    private bool IsOnLoop()
    {
        try
        {
            return Aio.GetRunningLoop() == _loop;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private Lease Granted()
    {
        Interlocked.Increment(ref _successful);
        return Lease.Acquired;
    }

    /// <summary>A lease without metadata; disposing it does nothing.</summary>
    private sealed class Lease(bool isAcquired) : RateLimitLease
    {
        public static readonly Lease Acquired = new(true);
        public static readonly Lease Refused = new(false);

        public override bool IsAcquired => isAcquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
