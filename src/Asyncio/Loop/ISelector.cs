namespace Asyncio;

/// <summary>
/// Where the loop's thread blocks when it has nothing to run: until the next timer is due or another thread posts
/// work. The run loop calls nothing else while idle, so a source of I/O readiness (an epoll selector that also
/// dispatches ready descriptors) plugs in here without touching the run loop.
/// <para>asyncio: <c>selector.select(timeout)</c> in <c>BaseEventLoop._run_once</c>, and the self-pipe that
/// <c>call_soon_threadsafe</c> writes to (<c>_write_to_self</c>).</para>
/// </summary>
/// <remarks>
/// A wake-up is latched: one that arrives while the loop is not blocked (between its last check of the inbox
/// and the call to <see cref="Select"/>) makes the next <see cref="Select"/> return at once, so no post is ever
/// slept through.
/// </remarks>
internal interface ISelector : IDisposable
{
    /// <summary>Blocks the loop's thread for at most <paramref name="timeout"/> (infinite: until woken).</summary>
    void Select(TimeSpan timeout);

    /// <summary>Ends the current or the next <see cref="Select"/> early; any thread.</summary>
    void Wake();
}

/// <summary>
/// The selector of a loop without I/O: a wait that a wake-up cuts short, built on a monitor (no kernel object,
/// no allocation per wait).
/// </summary>
internal sealed class WaitSelector : ISelector
{
    /// <summary>Guards <see cref="_woken"/>; the loop's thread waits on it.</summary>
    private readonly object _gate = new();

    /// <summary>A wake-up not consumed by a <see cref="Select"/> yet.</summary>
    private bool _woken;

    /// <inheritdoc/>
    public void Select(TimeSpan timeout)
    {
        lock (_gate)
        {
            if (!_woken) Monitor.Wait(_gate, timeout);
            _woken = false;
        }
    }

    /// <inheritdoc/>
    public void Wake()
    {
        lock (_gate)
        {
            _woken = true;
            Monitor.Pulse(_gate);
        }
    }

    /// <inheritdoc/>
    public void Dispose() { }
}
