using System.Net;
using System.Net.Sockets;

namespace Asyncio;

/// <summary>
/// Socket streams: .NET <see cref="Stream"/>s whose reads and writes are served by this loop's selector, for .NET
/// libraries that take a stream (<see cref="System.Net.Security.SslStream"/>, <c>SocketsHttpHandler.ConnectCallback</c>).
/// </summary>
public sealed partial class EventLoop
{
    /// <summary>
    /// Wraps a connected socket in a <see cref="Stream"/> served by this loop's selector: a read or write that can
    /// be done at once is done on the calling thread, one that has to wait is completed on the loop thread, where
    /// the awaiting code then goes on. Safe to call from any thread. No asyncio counterpart: asyncio's nearest are
    /// <c>loop.sock_recv</c> / <c>loop.sock_sendall</c>, which this uses the same way.
    /// </summary>
    /// <param name="socket">A connected stream socket; it is made non-blocking, and the stream owns it from now on.</param>
    /// <returns>The stream; disposing it closes the socket.</returns>
    /// <exception cref="ArgumentException">The socket is not connected, or not a stream socket.</exception>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed.</exception>
    public LoopSocketStream CreateSocketStream(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        CheckClosed();
        CheckCanWatch();
        if (socket.SocketType != SocketType.Stream) throw new ArgumentException("A socket stream needs a stream socket.", nameof(socket));
        if (!socket.Connected) throw new ArgumentException("The socket is not connected.", nameof(socket));
        socket.Blocking = false;
        return new LoopSocketStream(this, socket);
    }

    /// <summary>
    /// Connects to <paramref name="address"/> (a name is resolved, and its addresses tried in turn) through this
    /// loop's selector and returns the connection as a <see cref="LoopSocketStream"/>. Safe to call from any thread:
    /// what <c>SocketsHttpHandler.ConnectCallback</c> needs to put .NET's HTTP stack on the loop.
    /// <para>asyncio: <c>loop.sock_connect</c> on a new non-blocking socket.</para>
    /// </summary>
    /// <param name="address">An <see cref="IPEndPoint"/> or a <see cref="DnsEndPoint"/>.</param>
    /// <param name="cancellationToken">Stops the connect (the socket is closed).</param>
    /// <returns>The connected stream (Nagle's algorithm off, as asyncio's transports set it).</returns>
    /// <exception cref="SocketException">No address could be connected (the last failure), or the name did not resolve.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed.</exception>
    public async Task<LoopSocketStream> ConnectSocketStreamAsync(EndPoint address, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        CheckClosed();
        CheckCanWatch();
        (string host, int port) = address switch
        {
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            DnsEndPoint named => (named.Host, named.Port),
            _ => throw new ArgumentException($"Cannot connect a socket stream to a {address.GetType().Name}.", nameof(address)),
        };
        Socket socket = await Aio.RunCoroutineThreadsafe(ConnectFirst(host, port), this, cancellationToken).ConfigureAwait(false);
        socket.NoDelay = true;
        return new LoopSocketStream(this, socket);
    }

    /// <summary>
    /// True when this loop's selector can watch descriptors: readers, writers, socket operations, transports and
    /// socket streams need it (epoll on Linux and the portable selector can; the plain wait, <c>AIO_SELECTOR=wait</c>,
    /// cannot). No asyncio counterpart (every asyncio selector loop can).
    /// </summary>
    public bool CanWatchDescriptors => _selector.CanWatchDescriptors;

    /// <summary>True on the thread running this loop.</summary>
    internal bool IsLoopThread => _threadId == Environment.CurrentManagedThreadId;

    /// <summary>Posts <paramref name="invoke"/>(<paramref name="a"/>, <paramref name="b"/>) from any thread; false when the loop is closed.</summary>
    internal bool TryPost(Action<object?, object?> invoke, object? a, object? b = null) => PostToInbox(invoke, a, b, context: null);

    /// <summary>Watches one direction of <paramref name="socket"/> with a callback of the loop's own (no user context).</summary>
    internal void WatchSocket(Socket socket, IoEvents direction, IoCallback callback) =>
        AddCallback(DescriptorOf(socket), direction, callback, socket);

    /// <summary>Stops watching one direction of <paramref name="fd"/> if <paramref name="callback"/> is still what watches it.</summary>
    internal void UnwatchSocket(int fd, IoEvents direction, IoCallback callback) => RemoveCallback(fd, direction, callback);
}
