using System.Net.Sockets;

namespace Asyncio;

/// <summary>
/// Where the loop's thread blocks when it has nothing to run: until the next timer is due, another thread posts
/// work, or (for a selector that watches descriptors, such as <see cref="EpollSelector"/>) a watched file
/// descriptor becomes ready. The run loop calls nothing else while idle.
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
    /// <summary>
    /// Blocks the loop's thread for at most <paramref name="timeout"/> (infinite: until woken; zero: a poll).
    /// </summary>
    /// <returns>
    /// The watched descriptors found ready, valid until the next call (a buffer the selector reuses); empty for a
    /// wake-up or a timeout.
    /// </returns>
    ReadOnlySpan<ReadyEvent> Select(TimeSpan timeout);

    /// <summary>Ends the current or the next <see cref="Select"/> early; any thread.</summary>
    void Wake();

    /// <summary>True if <see cref="Watch"/> is supported.</summary>
    bool CanWatchDescriptors { get; }

    /// <summary>
    /// Changes what the selector watches on <paramref name="fd"/> from <paramref name="previous"/> to
    /// <paramref name="next"/> (<see cref="IoEvents.None"/>: not watched). Loop thread only.
    /// </summary>
    /// <exception cref="NotSupportedException">The selector cannot watch descriptors.</exception>
    /// <exception cref="IOException">The kernel refused the descriptor (closed, or a kind it cannot watch).</exception>
    void Watch(int fd, IoEvents previous, IoEvents next);

    /// <summary>
    /// <see cref="Watch"/> for a descriptor known to be <paramref name="socket"/>'s. A selector that waits on
    /// descriptor numbers needs only <paramref name="fd"/> (the default); one that waits on <see cref="Socket"/>
    /// objects (<see cref="SelectSelector"/>) keeps the socket. Loop thread only.
    /// </summary>
    /// <exception cref="NotSupportedException">The selector cannot watch descriptors.</exception>
    /// <exception cref="IOException">The kernel refused the descriptor.</exception>
    void WatchSocket(Socket socket, int fd, IoEvents previous, IoEvents next) => Watch(fd, previous, next);
}

/// <summary>
/// The selector of a loop without I/O: a wait that a wake-up cuts short, built on a monitor (no kernel object,
/// no allocation per wait). Chosen with <c>AIO_SELECTOR=wait</c>.
/// </summary>
internal sealed class WaitSelector : ISelector
{
    /// <summary>Guards <see cref="_woken"/>; the loop's thread waits on it.</summary>
    private readonly object _gate = new();

    /// <summary>A wake-up not consumed by a <see cref="Select"/> yet.</summary>
    private bool _woken;

    /// <inheritdoc/>
    public ReadOnlySpan<ReadyEvent> Select(TimeSpan timeout)
    {
        lock (_gate)
        {
            if (!_woken) Monitor.Wait(_gate, timeout);
            _woken = false;
        }
        return default;
    }

    /// <inheritdoc/>
    public bool CanWatchDescriptors => false;

    /// <inheritdoc/>
    public void Watch(int fd, IoEvents previous, IoEvents next) =>
        throw new NotSupportedException(
            "This event loop's selector (a plain wait) cannot watch file descriptors: readers, writers and socket " +
            "methods need the epoll selector (the default on Linux, AIO_SELECTOR=epoll) or the portable one " +
            "(the default elsewhere, AIO_SELECTOR=portable).");

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
