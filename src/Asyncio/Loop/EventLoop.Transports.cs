using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace Asyncio;

/// <summary>
/// Stream connections as protocols and transports: <see cref="CreateConnection"/> for a client,
/// <see cref="CreateServer"/> for a listening server, and their Unix-domain twins (asyncio: <c>loop.create_connection</c>,
/// <c>loop.create_server</c>, <c>create_unix_connection</c>, <c>create_unix_server</c>, with <c>selector_events</c>'
/// socket transport).
/// </summary>
/// <remarks>
/// The loop owns the sockets of its transports and servers: <see cref="Close"/> disposes those still open, so a
/// closed loop leaks no descriptor. Their protocols hear nothing then: a closed loop runs no callback.
/// </remarks>
public sealed partial class EventLoop
{
    /// <summary>asyncio's <c>max_size</c> for one receive of a socket transport.</summary>
    private const int TransportReadSize = 256 * 1024;

    /// <summary>The sockets of open transports and servers, disposed by <see cref="Close"/>.</summary>
    private readonly HashSet<Socket> _ownedSockets = [];

    /// <summary>
    /// The one receive buffer of all transports of this loop: each hands its protocol a span of it that is valid
    /// only during <see cref="Protocol.DataReceived"/>, and the loop runs one callback at a time.
    /// </summary>
    private byte[]? _transportReadBuffer;

    /// <summary>The receive buffer shared by this loop's transports, made on first use.</summary>
    internal byte[] TransportReadBuffer => _transportReadBuffer ??= new byte[TransportReadSize];

    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> over TCP and starts a protocol from
    /// <paramref name="protocolFactory"/> on the connection. Each address the host resolves to is tried in turn.
    /// <para>asyncio: <c>transport, protocol = await loop.create_connection(protocol_factory, host, port)</c>.</para>
    /// </summary>
    /// <typeparam name="TProtocol">The protocol's type, given back as is.</typeparam>
    /// <param name="protocolFactory">Makes the protocol once the connection is made.</param>
    /// <param name="host">An IP address or a name to resolve.</param>
    /// <param name="port">The port.</param>
    /// <param name="ssl">TLS options: the connection is then TLS over TCP, the certificate checked as
    /// <see cref="System.Net.Security.SslStream"/> checks it, against <paramref name="host"/> unless the options name a
    /// <c>TargetHost</c> (asyncio: <c>ssl=</c>, <c>server_hostname=</c>). Null: plain TCP.</param>
    /// <param name="sslHandshakeTimeout">Seconds the TLS handshake may take (60 when null), only with <paramref name="ssl"/>
    /// (asyncio: <c>ssl_handshake_timeout</c>).</param>
    /// <returns>A coroutine giving the transport and the protocol, once <see cref="Protocol.ConnectionMade"/> has run
    /// (with TLS: after the handshake).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not a port number, or <paramref name="sslHandshakeTimeout"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="sslHandshakeTimeout"/> is given without <paramref name="ssl"/>.</exception>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors (the plain wait selector).</exception>
    /// <exception cref="SocketException">At the await: no address could be connected to (the last address's error).</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">At the await: the TLS handshake failed
    /// (a certificate that does not verify, a wrong host name); the socket is closed by then. A handshake that takes
    /// too long gives <see cref="TimeoutException"/>.</exception>
    public Coroutine<(ITransport Transport, TProtocol Protocol)> CreateConnection<TProtocol>(Func<TProtocol> protocolFactory, string host, int port,
        SslClientAuthenticationOptions? ssl = null, double? sslHandshakeTimeout = null)
        where TProtocol : Protocol
    {
        ArgumentNullException.ThrowIfNull(protocolFactory);
        ArgumentNullException.ThrowIfNull(host);
        CheckPort(port);
        TlsSide.CheckTimeoutNeedsTls(ssl, sslHandshakeTimeout);
        TlsSide? tls = ssl is null ? null : TlsSide.ForClient(ssl, host, sslHandshakeTimeout);
        CheckCanWatch();
        return Connect(protocolFactory, host, port, tls);
    }

    /// <summary>
    /// Listens on <paramref name="host"/>:<paramref name="port"/> (one socket per address the host resolves to) and
    /// serves each accepted connection with a new protocol from <paramref name="protocolFactory"/>. The server
    /// accepts at once. Port 0 picks a free port: read it from <c>Server.Sockets[0].LocalEndPoint</c>.
    /// <para>asyncio: <c>server = await loop.create_server(protocol_factory, host, port, backlog=100)</c>.</para>
    /// </summary>
    /// <param name="protocolFactory">Makes one protocol per connection; an exception is reported to the exception handler and the connection closed.</param>
    /// <param name="host">An IP address (<c>"0.0.0.0"</c> for every IPv4 interface) or a name to resolve.</param>
    /// <param name="port">The port, or 0.</param>
    /// <param name="backlog">The listen queue's length, and the most connections accepted per iteration.</param>
    /// <param name="ssl">TLS options (with the server's certificate): each connection is then TLS, and its protocol
    /// hears <see cref="Protocol.ConnectionMade"/> after the handshake; a connection whose handshake fails is closed
    /// and its protocol never hears of it (asyncio: <c>ssl=</c>). Null: plain TCP.</param>
    /// <param name="sslHandshakeTimeout">Seconds each handshake may take (60 when null), only with <paramref name="ssl"/>.</param>
    /// <returns>A coroutine giving the serving <see cref="Server"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not a port number, or <paramref name="backlog"/> or <paramref name="sslHandshakeTimeout"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="sslHandshakeTimeout"/> is given without <paramref name="ssl"/>.</exception>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors.</exception>
    /// <exception cref="SocketException">At the await: an address could not be bound (<see cref="SocketError.AddressAlreadyInUse"/>, ...).</exception>
    public Coroutine<Server> CreateServer(Func<Protocol> protocolFactory, string host, int port, int backlog = 100,
        SslServerAuthenticationOptions? ssl = null, double? sslHandshakeTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(protocolFactory);
        ArgumentNullException.ThrowIfNull(host);
        CheckPort(port);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(backlog);
        TlsSide.CheckTimeoutNeedsTls(ssl, sslHandshakeTimeout);
        if (ssl is not null) protocolFactory = TlsServerFactory(protocolFactory, TlsSide.ForServer(ssl, sslHandshakeTimeout));
        CheckCanWatch();
        return Listen(protocolFactory, host, port, backlog);
    }

    /// <summary>
    /// Connects to the Unix-domain socket at <paramref name="path"/> and starts a protocol from
    /// <paramref name="protocolFactory"/> on the connection.
    /// <para>asyncio: <c>transport, protocol = await loop.create_unix_connection(protocol_factory, path)</c>.</para>
    /// </summary>
    /// <typeparam name="TProtocol">The protocol's type, given back as is.</typeparam>
    /// <param name="protocolFactory">Makes the protocol once the connection is made.</param>
    /// <param name="path">The socket's path.</param>
    /// <returns>A coroutine giving the transport and the protocol, once <see cref="Protocol.ConnectionMade"/> has run.</returns>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors.</exception>
    /// <exception cref="SocketException">At the await: the connection failed (no such socket: <see cref="SocketError.AddressNotAvailable"/>; nobody listening: <see cref="SocketError.ConnectionRefused"/>).</exception>
    public Coroutine<(ITransport Transport, TProtocol Protocol)> CreateUnixConnection<TProtocol>(Func<TProtocol> protocolFactory, string path)
        where TProtocol : Protocol
    {
        ArgumentNullException.ThrowIfNull(protocolFactory);
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckCanWatch();
        return ConnectUnix(protocolFactory, path);
    }

    /// <summary>
    /// Listens on a Unix-domain socket made at <paramref name="path"/>, which <see cref="Server.Close"/> removes
    /// (asyncio 3.13's <c>cleanup_socket=True</c>), and serves each accepted connection with a new protocol.
    /// <para>asyncio: <c>server = await loop.create_unix_server(protocol_factory, path, backlog=100)</c>.</para>
    /// </summary>
    /// <param name="protocolFactory">Makes one protocol per connection.</param>
    /// <param name="path">Where to make the socket; nothing may exist there (asyncio removes a stale socket file first; this does not).</param>
    /// <param name="backlog">The listen queue's length, and the most connections accepted per iteration.</param>
    /// <returns>A coroutine giving the serving <see cref="Server"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="backlog"/> is not positive.</exception>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors.</exception>
    /// <exception cref="SocketException">At the await: the path could not be bound (<see cref="SocketError.AddressAlreadyInUse"/>, ...).</exception>
    public Coroutine<Server> CreateUnixServer(Func<Protocol> protocolFactory, string path, int backlog = 100)
    {
        ArgumentNullException.ThrowIfNull(protocolFactory);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(backlog);
        CheckCanWatch();
        return ListenUnix(protocolFactory, path, backlog);
    }

#pragma warning disable CS1998 // nothing to await, but a coroutine all the same: the bind happens when it is awaited, as in asyncio
    private async Coroutine<Server> ListenUnix(Func<Protocol> protocolFactory, string path, int backlog)
#pragma warning restore CS1998
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen(backlog);
            socket.Blocking = false;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new Server(this, [socket], protocolFactory, backlog, unixPath: path);
    }

    private static void CheckPort(int port)
    {
        if (port is < IPEndPoint.MinPort or > IPEndPoint.MaxPort)
            throw new ArgumentOutOfRangeException(nameof(port), port, "not a port number");
    }

    private async Coroutine<(ITransport Transport, TProtocol Protocol)> Connect<TProtocol>(Func<TProtocol> protocolFactory, string host, int port, TlsSide? tls)
        where TProtocol : Protocol
    {
        Socket socket = await ConnectFirst(host, port);
        return tls is null ? await StartTransport(socket, protocolFactory) : await StartTlsTransport(socket, protocolFactory, tls);
    }

    /// <summary>
    /// A new non-blocking TCP socket connected to the first of <paramref name="host"/>'s addresses that accepts; the
    /// last failure when none does (asyncio: <c>create_connection</c>'s loop over the resolved addresses).
    /// </summary>
    private async Coroutine<Socket> ConnectFirst(string host, int port)
    {
        SocketException? last = null;
        foreach (IPAddress address in await ResolveHost(host))
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            try
            {
                await ConnectOrDispose(socket, new IPEndPoint(address, port));
                return socket;
            }
            catch (SocketException error)
            {
                last = error;
            }
        }
        throw last!;
    }

    private async Coroutine<(ITransport Transport, TProtocol Protocol)> ConnectUnix<TProtocol>(Func<TProtocol> protocolFactory, string path)
        where TProtocol : Protocol
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false };
        await ConnectOrDispose(socket, new UnixDomainSocketEndPoint(path));
        return await StartTransport(socket, protocolFactory);
    }

    /// <summary>Connects <paramref name="socket"/>, or disposes it when the connect fails or is cancelled.</summary>
    private async Coroutine ConnectOrDispose(Socket socket, EndPoint address)
    {
        try
        {
            await SockConnectAsync(socket, address);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Makes the protocol and the transport of a connected socket, and waits until the protocol knows it.</summary>
    private Coroutine<(ITransport Transport, TProtocol Protocol)> StartTransport<TProtocol>(Socket socket, Func<TProtocol> protocolFactory)
        where TProtocol : Protocol =>
        StartWhenMade<ITransport, TProtocol>(socket, protocolFactory,
            (protocol, waiter) => new SocketTransport(this, socket, protocol, waiter, server: null), static transport => transport.Close());

    /// <summary>
    /// Makes the protocol, then the transport that takes <paramref name="socket"/>, and waits until the protocol
    /// heard <c>ConnectionMade</c> (the transport completes the waiter after it). A factory that throws disposes
    /// the socket; a wait cancelled before then closes the transport, which nobody else will own.
    /// </summary>
    private async Coroutine<(TTransport Transport, TProtocol Protocol)> StartWhenMade<TTransport, TProtocol>(Socket socket,
        Func<TProtocol> protocolFactory, Func<TProtocol, Future<bool>, TTransport> makeTransport, Action<TTransport> close)
    {
        TProtocol protocol;
        try
        {
            protocol = protocolFactory();
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        Future<bool> waiter = CreateFuture<bool>();
        TTransport transport = makeTransport(protocol, waiter);
        try
        {
            await waiter;
        }
        catch
        {
            close(transport);
            throw;
        }
        return (transport, protocol);
    }

    private async Coroutine<Server> Listen(Func<Protocol> protocolFactory, string host, int port, int backlog)
    {
        IPAddress[] addresses = await ResolveHost(host);
        var sockets = new List<Socket>();
        try
        {
            foreach (IPAddress address in addresses.Distinct())
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                // asyncio's defaults on POSIX: a restarted server may bind while old connections linger in
                // TIME_WAIT, and an IPv6 socket does not also take the IPv4 port another socket may want.
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                if (address.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = false;
                socket.Bind(new IPEndPoint(address, port));
                socket.Listen(backlog);
                socket.Blocking = false;
            }
            return new Server(this, [.. sockets], protocolFactory, backlog);
        }
        catch
        {
            foreach (Socket socket in sockets) socket.Dispose();
            throw;
        }
    }

    /// <summary>The addresses of <paramref name="host"/>: itself when it is an address, else those a lookup gives.</summary>
    private static async Coroutine<IPAddress[]> ResolveHost(string host)
    {
        if (IPAddress.TryParse(host, out IPAddress? address)) return [address];
        IPAddress[] addresses = await Dns.GetHostAddressesAsync(host);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        return addresses;
    }

    /// <summary>A transport or server took <paramref name="socket"/>: the loop disposes it at close unless given back.</summary>
    internal void OwnSocket(Socket socket) => _ownedSockets.Add(socket);

    /// <summary>The owner disposed <paramref name="socket"/> itself.</summary>
    internal void DisownSocket(Socket socket) => _ownedSockets.Remove(socket);

    /// <summary>At <see cref="Close"/>: the sockets of transports and servers still open are disposed.</summary>
    private void DisposeOwnedSockets()
    {
        foreach (Socket socket in _ownedSockets) socket.Dispose();
        _ownedSockets.Clear();
    }
}
