using System.Diagnostics;
using System.Runtime.InteropServices;
using static Asyncio.LinuxNative;

namespace Asyncio;

/// <summary>
/// The loop's selector on Linux: the loop's thread blocks in <c>epoll_wait</c>, which returns when a watched
/// descriptor is ready, the timeout passes, or another thread writes the selector's <c>eventfd</c>, registered
/// in the same epoll set (asyncio: <c>selectors.EpollSelector</c> plus the loop's self-pipe).
/// </summary>
/// <remarks>
/// <para>Level-triggered, as asyncio's: a descriptor stays ready until its reader drains it, so a reader that
/// takes only part of the data is called again in the next iteration.</para>
/// <para>A wake-up is latched by the eventfd's counter: written while nobody waits, it makes the next
/// <c>epoll_wait</c> return at once. The counter is drained when its event is reported.</para>
/// <para>The kernel's structures are read and written in the machine's byte order (they are native C
/// structs).</para>
/// <para>No allocation per wait: one pinned buffer receives the kernel's events and one array the decoded
/// ones.</para>
/// </remarks>
[DebuggerDisplay("epoll fd={_epollFd.Number} wake fd={_wakeFdNumber}")]
internal sealed class EpollSelector : ISelector
{
    /// <summary>How many ready descriptors one wait reports; more stay ready for the next (level-triggered).</summary>
    private const int MaxEvents = 256;

    /// <summary>The epoll instance.</summary>
    private readonly OwnedDescriptor _epollFd;

    /// <summary>The eventfd <see cref="Wake"/> writes to; watched for reading in <see cref="_epollFd"/>.</summary>
    private readonly OwnedDescriptor _wakeFd;

    /// <summary>The number of <see cref="_wakeFd"/>, as epoll reports it.</summary>
    private readonly int _wakeFdNumber;

    /// <summary><c>struct epoll_event[MaxEvents]</c>, pinned so the kernel can write it while the GC runs.</summary>
    private readonly byte[] _kernelEvents = GC.AllocateArray<byte>(MaxEvents * EpollEventSize, pinned: true);

    /// <summary>The decoded events of the last wait, handed out as a span.</summary>
    private readonly ReadyEvent[] _ready = new ReadyEvent[MaxEvents];

    /// <summary>Creates the epoll instance and its wake-up eventfd (both close-on-exec).</summary>
    /// <exception cref="IOException">The kernel refused (out of descriptors).</exception>
    public EpollSelector()
    {
        _epollFd = epoll_create1(EPOLL_CLOEXEC);
        if (_epollFd.IsInvalid) throw Error("epoll_create1", Marshal.GetLastPInvokeError());
        _wakeFd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (_wakeFd.IsInvalid)
        {
            int errno = Marshal.GetLastPInvokeError();
            _epollFd.Dispose();
            throw Error("eventfd", errno);
        }
        _wakeFdNumber = _wakeFd.Number;
        int result = Control(EPOLL_CTL_ADD, _wakeFdNumber, EPOLLIN);
        if (result != 0)
        {
            Dispose();
            throw Error("epoll_ctl", result);
        }
    }

    /// <inheritdoc/>
    public bool CanWatchDescriptors => true;

    /// <inheritdoc/>
    public ReadOnlySpan<ReadyEvent> Select(TimeSpan timeout)
    {
        int count = epoll_wait(_epollFd, ref _kernelEvents[0], MaxEvents, TimeoutMilliseconds(timeout));
        if (count < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            // A signal cut the wait short: report nothing, the loop computes its timeout again (as asyncio).
            if (errno == EINTR) return default;
            throw Error("epoll_wait", errno);
        }
        int ready = 0;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = _kernelEvents.AsSpan(i * EpollEventSize, EpollEventSize);
            uint mask = MemoryMarshal.Read<uint>(entry);
            int fd = (int)MemoryMarshal.Read<ulong>(entry[EpollDataOffset..]);
            if (fd == _wakeFdNumber)
            {
                DrainWakeups();
                continue;
            }
            _ready[ready++] = new ReadyEvent(fd, ToEvents(mask));
        }
        return _ready.AsSpan(0, ready);
    }

    /// <summary>
    /// epoll's timeout: milliseconds rounded up, so that the loop never wakes just before its timer is due and
    /// spins; -1 waits forever.
    /// </summary>
    private static int TimeoutMilliseconds(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan) return -1;
        if (timeout <= TimeSpan.Zero) return 0;
        double ms = Math.Ceiling(timeout.TotalMilliseconds);
        return ms >= int.MaxValue ? int.MaxValue : (int)ms;
    }

    /// <summary>
    /// An error or hang-up (any bit besides EPOLLIN and EPOLLOUT) makes a descriptor both readable and writable, so that whichever callback is
    /// registered runs and meets the error in its own system call (asyncio's <c>EpollSelector.select</c>).
    /// </summary>
    private static IoEvents ToEvents(uint mask)
    {
        IoEvents events = IoEvents.None;
        if ((mask & ~EPOLLOUT) != 0) events |= IoEvents.Read;
        if ((mask & ~EPOLLIN) != 0) events |= IoEvents.Write;
        return events;
    }

    /// <summary>Resets the eventfd's counter (one read takes the whole count).</summary>
    private void DrainWakeups()
    {
        Span<byte> counter = stackalloc byte[8];
        _ = read(_wakeFd, ref counter[0], counter.Length);
    }

    /// <inheritdoc/>
    public void Wake()
    {
        Span<byte> one = stackalloc byte[8];
        MemoryMarshal.Write(one, 1UL);
        try
        {
            // Only EAGAIN can fail here (the counter at its maximum), and then a wake-up is pending anyway.
            _ = write(_wakeFd, ref one[0], one.Length);
        }
        catch (ObjectDisposedException)
        {
            // The loop closed meanwhile: there is nothing left to wake.
        }
    }

    /// <inheritdoc/>
    public void Watch(int fd, IoEvents previous, IoEvents next)
    {
        if (previous == next) return;
        int errno;
        if (next == IoEvents.None)
        {
            errno = Control(EPOLL_CTL_DEL, fd, 0);
            // Closing a descriptor removes it from every epoll set: a reader removed after its socket was
            // closed finds nothing to remove, which is not an error (asyncio's selector forgets it the same way).
            if (errno is 0 or EBADF or ENOENT) return;
            throw Error("epoll_ctl(EPOLL_CTL_DEL)", errno);
        }
        uint mask = (next.HasFlag(IoEvents.Read) ? EPOLLIN : 0) | (next.HasFlag(IoEvents.Write) ? EPOLLOUT : 0);
        int op = previous == IoEvents.None ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        errno = Control(op, fd, mask);
        // The descriptor number was closed and reused while watched: the kernel forgot the old registration
        // (MOD finds nothing) or never saw this one removed (ADD finds one): do the other operation.
        if (errno == ENOENT && op == EPOLL_CTL_MOD) errno = Control(EPOLL_CTL_ADD, fd, mask);
        else if (errno == EEXIST && op == EPOLL_CTL_ADD) errno = Control(EPOLL_CTL_MOD, fd, mask);
        if (errno != 0) throw Error("epoll_ctl", errno);
    }

    /// <summary>One <c>epoll_ctl</c> call with the descriptor itself as the event's data; returns 0 or the errno.</summary>
    private int Control(int op, int fd, uint mask)
    {
        Span<byte> ev = stackalloc byte[16];
        ev.Clear();
        MemoryMarshal.Write(ev, mask);
        MemoryMarshal.Write(ev[EpollDataOffset..], (ulong)fd);
        return epoll_ctl(_epollFd, op, fd, ref ev[0]) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Closes the epoll instance and the eventfd (a call in flight on another thread keeps them open until it returns). Idempotent.</summary>
    public void Dispose()
    {
        _wakeFd.Dispose();
        _epollFd.Dispose();
    }
}
