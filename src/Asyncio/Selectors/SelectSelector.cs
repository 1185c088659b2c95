using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Asyncio;

/// <summary>
/// The portable selector: the loop's thread blocks in <c>Socket.Select</c>
/// over the watched sockets and a wake-up socket, which other threads send a byte to (asyncio:
/// <c>selectors.SelectSelector</c>, Windows' default, plus the loop's self-pipe, a socket pair there).
/// Only .NET socket APIs, so it works on every OS .NET runs on; the default off Linux.
/// </summary>
/// <remarks>
/// <para>It waits on <see cref="Socket"/> objects, not descriptor numbers: a socket must be registered through
/// <see cref="WatchSocket"/> (the loop's <c>Socket</c> overloads, its socket methods and transports do). A bare
/// number it has not been given a socket for, such as a pipe's or an eventfd's, is refused with
/// <see cref="NotSupportedException"/>.</para>
/// <para>Level-triggered, as asyncio's: each wait asks the kernel afresh, so a socket stays ready until its
/// reader drains it. The wait runs on the loop's own thread, so a zero timeout is a real poll: what is ready
/// is seen before a virtual clock jumps, exactly as with epoll.</para>
/// <para>A wake-up is latched by the byte itself: sent while nobody waits, it is still queued on the wake-up
/// socket and ends the next wait at once. At most one byte is in flight (<see cref="_wakeSent"/>).</para>
/// <para>A socket disposed while watched is forgotten at the next wait, as the kernel forgets a closed
/// descriptor in an epoll set.</para>
/// <para>Cost: each wait lists every watched socket again (the kernel's <c>poll</c> on Unix, <c>select</c> on
/// Windows), O(watched sockets) per loop iteration where epoll is O(ready ones).</para>
/// </remarks>
[DebuggerDisplay("select: {_watched.Count} watched")]
internal sealed class SelectSelector : ISelector
{
    /// <summary>One watched socket: its descriptor number (the loop's key) and what it is watched for.</summary>
    private sealed class Registration(Socket socket, int fd, IoEvents events)
    {
        public readonly Socket Socket = socket;
        public readonly int Fd = fd;
        public IoEvents Events = events;

        /// <summary>What the current wait found; <see cref="IoEvents.None"/> between waits.</summary>
        public IoEvents Found;
    }

    /// <summary>The watched sockets by descriptor number, as the loop names them.</summary>
    private readonly Dictionary<int, Registration> _watched = new();

    /// <summary>The same registrations by socket, to map <c>Socket.Select</c>'s answer back.</summary>
    private readonly Dictionary<Socket, Registration> _bySocket = new(ReferenceEqualityComparer.Instance);

    /// <summary>The lists handed to <c>Socket.Select</c>, refilled for each wait (it removes the sockets that are not ready).</summary>
    private readonly List<Socket> _checkRead = [], _checkWrite = [], _checkError = [];

    /// <summary>The registrations the current wait found ready, in the order found.</summary>
    private readonly List<Registration> _found = [];

    /// <summary>Watched sockets found disposed, forgotten after the lists are built.</summary>
    private readonly List<Registration> _disposed = [];

    /// <summary>The decoded events of the last wait, handed out as a span; grows with the number watched.</summary>
    private ReadyEvent[] _ready = new ReadyEvent[16];

    /// <summary>A UDP socket connected to itself: <see cref="Wake"/> sends it a byte, the wait watches it for reading.</summary>
    private readonly Socket _wakeSocket;

    /// <summary>1 while a wake-up byte is in flight: later wake-ups have nothing to add.</summary>
    private int _wakeSent;

    /// <summary>Scratch space to drain wake-up bytes into.</summary>
    private readonly byte[] _drain = new byte[16];

    /// <summary>Makes the wake-up socket (one descriptor), on IPv4 loopback, or IPv6 loopback if IPv4 is unavailable.</summary>
    /// <exception cref="SocketException">Neither loopback could be bound.</exception>
    public SelectSelector() => _wakeSocket = ConnectedToItself();

    private static Socket ConnectedToItself()
    {
        try
        {
            return ConnectedToItself(IPAddress.Loopback);
        }
        catch (SocketException)
        {
            return ConnectedToItself(IPAddress.IPv6Loopback);
        }
    }

    private static Socket ConnectedToItself(IPAddress loopback)
    {
        var socket = new Socket(loopback.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(loopback, 0));
            // Connected to its own address, it receives only what it sends itself: no stranger can wake the loop.
            socket.Connect(socket.LocalEndPoint!);
            socket.Blocking = false;
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public bool CanWatchDescriptors => true;

    /// <inheritdoc/>
    /// <exception cref="NotSupportedException"><paramref name="fd"/> is not a socket this selector was given (see <see cref="WatchSocket"/>).</exception>
    public void Watch(int fd, IoEvents previous, IoEvents next)
    {
        if (next == IoEvents.None)
        {
            Forget(fd);
            return;
        }
        if (_watched.TryGetValue(fd, out Registration? registration) && !registration.Socket.SafeHandle.IsClosed)
        {
            registration.Events = next;
            return;
        }
        throw new NotSupportedException(
            $"The portable selector waits on Socket objects and cannot watch the bare descriptor {fd}: pass the " +
            "Socket (loop.AddReader(socket, ...)); pipes and other descriptors that are not sockets need the epoll " +
            "selector (Linux).");
    }

    /// <inheritdoc/>
    public void WatchSocket(Socket socket, int fd, IoEvents previous, IoEvents next)
    {
        if (next == IoEvents.None)
        {
            Forget(fd);
            return;
        }
        if (_watched.TryGetValue(fd, out Registration? registration))
        {
            if (registration.Socket == socket)
            {
                registration.Events = next;
                return;
            }
            // The number was closed and reused by another socket while watched: the new socket takes its place.
            Forget(fd);
        }
        registration = new Registration(socket, fd, next);
        _watched.Add(fd, registration);
        _bySocket.Add(socket, registration);
    }

    private void Forget(int fd)
    {
        // A socket removed after it was disposed may be gone already (forgotten by a wait): not an error.
        if (_watched.Remove(fd, out Registration? registration)) _bySocket.Remove(registration.Socket);
    }

    /// <inheritdoc/>
    public ReadOnlySpan<ReadyEvent> Select(TimeSpan timeout)
    {
        FillCheckLists();
        try
        {
            Socket.Select(_checkRead, _checkWrite, _checkError, TimeoutMicroseconds(timeout));
        }
        catch (ObjectDisposedException)
        {
            // Another thread disposed a watched socket while the lists were built: the next wait forgets it.
            return default;
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.Interrupted)
        {
            // A signal cut the wait short: report nothing, the loop computes its timeout again (as asyncio).
            return default;
        }
        foreach (Socket socket in _checkRead)
        {
            if (socket == _wakeSocket) DrainWakeups();
            else Found(socket, IoEvents.Read);
        }
        foreach (Socket socket in _checkWrite) Found(socket, IoEvents.Write);
        // An exceptional condition (Windows reports a failed connect this way) makes the socket readable and
        // writable, so whichever callback is registered meets the error in its own call.
        foreach (Socket socket in _checkError) Found(socket, IoEvents.Read | IoEvents.Write);
        return TakeFound();
    }

    /// <summary>
    /// Lists the wake-up socket and every watched one for its directions; writers are also checked for an
    /// exceptional condition (asyncio's <c>SelectSelector</c> does the same on Windows).
    /// </summary>
    private void FillCheckLists()
    {
        _checkRead.Clear();
        _checkWrite.Clear();
        _checkError.Clear();
        _checkRead.Add(_wakeSocket);
        foreach (Registration registration in _watched.Values)
        {
            if (registration.Socket.SafeHandle.IsClosed)
            {
                _disposed.Add(registration);
                continue;
            }
            if ((registration.Events & IoEvents.Read) != 0) _checkRead.Add(registration.Socket);
            if ((registration.Events & IoEvents.Write) != 0) _checkWrite.Add(registration.Socket);
            _checkError.Add(registration.Socket);
        }
        foreach (Registration gone in _disposed) Forget(gone.Fd);
        _disposed.Clear();
    }

    private void Found(Socket socket, IoEvents events)
    {
        Registration registration = _bySocket[socket];
        if (registration.Found == IoEvents.None) _found.Add(registration);
        registration.Found |= events;
    }

    private ReadOnlySpan<ReadyEvent> TakeFound()
    {
        if (_ready.Length < _found.Count) _ready = new ReadyEvent[Math.Max(_found.Count, _ready.Length * 2)];
        int count = 0;
        foreach (Registration registration in _found)
        {
            _ready[count++] = new ReadyEvent(registration.Fd, registration.Found);
            registration.Found = IoEvents.None;
        }
        _found.Clear();
        return _ready.AsSpan(0, count);
    }

    /// <summary>
    /// <c>Socket.Select</c>'s timeout: whole milliseconds rounded up (the kernel's <c>poll</c> counts in them), so
    /// that the loop never wakes just before its timer is due and spins; -1 waits forever.
    /// </summary>
    private static int TimeoutMicroseconds(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan) return -1;
        if (timeout <= TimeSpan.Zero) return 0;
        double ms = Math.Ceiling(timeout.TotalMilliseconds);
        return ms >= int.MaxValue / 1000 ? int.MaxValue : (int)ms * 1000;
    }

    /// <summary>Takes the queued wake-up bytes, then lets the next <see cref="Wake"/> send one again.</summary>
    private void DrainWakeups()
    {
        while (_wakeSocket.Receive(_drain, SocketFlags.None, out _) > 0)
        {
        }
        Volatile.Write(ref _wakeSent, 0);
    }

    /// <inheritdoc/>
    public void Wake()
    {
        if (Interlocked.Exchange(ref _wakeSent, 1) == 1) return;
        try
        {
            _wakeSocket.Send(s_wakeByte, SocketFlags.None, out SocketError error);
            // Not sent (cannot happen with one byte in flight at most): let a later wake-up try again.
            if (error != SocketError.Success) Volatile.Write(ref _wakeSent, 0);
        }
        catch (ObjectDisposedException)
        {
            // The loop closed meanwhile: there is nothing left to wake.
        }
    }

    private static readonly byte[] s_wakeByte = [1];

    /// <summary>Closes the wake-up socket; the watched sockets belong to their owners. Idempotent.</summary>
    public void Dispose() => _wakeSocket.Dispose();
}
