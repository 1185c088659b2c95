namespace Asyncio.Http;

/// <summary>
/// The session's connection limits: one semaphore for all hosts (<see cref="ClientSessionOptions.Limit"/>) and
/// one per endpoint (<see cref="ClientSessionOptions.LimitPerHost"/>). A request takes a slot of each before
/// it is sent and gives them back when its response is released, as aiohttp's connector hands out connections.
/// </summary>
/// <remarks>
/// The per-host slot is taken first, so that a request waiting for a busy host holds none of the total slots
/// that requests to other hosts could use. Loop objects: used from the session's loop only.
/// </remarks>
internal sealed class ConnectionSlots
{
    private readonly AsyncSemaphore? _total;
    private readonly int _perHostLimit;
    private readonly Dictionary<string, AsyncSemaphore> _perHost = new(StringComparer.Ordinal);

    public ConnectionSlots(int limit, int limitPerHost)
    {
        if (limit > 0) _total = new AsyncSemaphore(limit);
        _perHostLimit = limitPerHost;
    }

    /// <summary>
    /// Takes the slots for a request to <paramref name="url"/> at once when both are free and nobody waits for
    /// them, as the semaphores themselves would: the common case, which needs no wait, so no timer and no coroutine.
    /// </summary>
    /// <returns>False (nothing taken) when a slot is busy: then <see cref="AcquireAsync"/> waits in line.</returns>
    public bool TryTake(Uri url, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Slot? slot)
    {
        AsyncSemaphore? perHost = _perHostLimit > 0 ? PerHost(url) : null;
        if (perHost?.IsLocked == true || _total?.IsLocked == true)
        {
            slot = null;
            return false;
        }
        slot = new Slot
        {
            PerHost = perHost is null ? null : TakeFree(perHost),
            Total = _total is null ? null : TakeFree(_total),
        };
        return true;
    }

    /// <summary>Takes a unit of a semaphore that is not locked: its acquisition completes without waiting.</summary>
    private static Releaser TakeFree(AsyncSemaphore semaphore) => semaphore.AcquireAsync().GetAwaiter().GetResult();

    /// <summary>
    /// Takes the slots for a request to <paramref name="url"/>, waiting at most <paramref name="timeout"/>
    /// seconds (loop time) for both.
    /// </summary>
    /// <exception cref="ConnectionTimeoutError">No slot was free in time.</exception>
    public async Coroutine<Slot> AcquireAsync(Uri url, double? timeout)
    {
        EventLoop loop = Aio.GetRunningLoop();
        double start = loop.Time();
        var slot = new Slot();
        try
        {
            if (_perHostLimit > 0) slot.PerHost = await Acquire(PerHost(url), timeout);
            if (_total is not null) slot.Total = await Acquire(_total, timeout - (loop.Time() - start));
            return slot;
        }
        catch (TimeoutException error)
        {
            slot.Release();
            throw new ConnectionTimeoutError($"Connection timeout to host {url.Authority}: no free connection within {timeout} s.", error);
        }
        catch
        {
            slot.Release();
            throw;
        }
    }

    private static async Coroutine<Releaser> Acquire(AsyncSemaphore semaphore, double? timeout) =>
        timeout is null ? await semaphore.AcquireAsync() : await Aio.WaitFor(semaphore.AcquireAsync(), Math.Max(0, timeout.Value));

    private AsyncSemaphore PerHost(Uri url)
    {
        string key = url.GetLeftPart(UriPartial.Authority);
        if (!_perHost.TryGetValue(key, out AsyncSemaphore? semaphore)) _perHost[key] = semaphore = new AsyncSemaphore(_perHostLimit);
        return semaphore;
    }

    /// <summary>The slots one request holds; released once.</summary>
    public sealed class Slot
    {
        public Releaser? PerHost;
        public Releaser? Total;

        public void Release()
        {
            Total?.Dispose();
            PerHost?.Dispose();
            Total = PerHost = null;
        }
    }
}
