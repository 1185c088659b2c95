namespace Asyncio;

// asyncio.open_connection / start_server and their Unix-domain twins: the stream pair over a transport.
public static partial class Aio
{
    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> over TCP and gives the connection as a reader
    /// and a writer. Each address the host resolves to is tried in turn.
    /// <para>asyncio: <c>reader, writer = await asyncio.open_connection(host, port, limit=2**16, ssl=None, ssl_handshake_timeout=None)</c>.</para>
    /// </summary>
    /// <param name="host">An IP address or a name to resolve.</param>
    /// <param name="port">The port.</param>
    /// <param name="limit">The reader's <see cref="AsyncStreamReader.Limit"/>.</param>
    /// <param name="ssl">TLS options: the connection is TLS, the server's certificate checked as
    /// <see cref="System.Net.Security.SslStream"/> checks it, against <paramref name="host"/> unless the options name a
    /// <c>TargetHost</c>. Null: plain TCP.</param>
    /// <param name="sslHandshakeTimeout">Seconds the TLS handshake may take (60 when null); only with <paramref name="ssl"/>.</param>
    /// <returns>A coroutine giving the reader and the writer.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not a port number, or <paramref name="limit"/> or <paramref name="sslHandshakeTimeout"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="sslHandshakeTimeout"/> is given without <paramref name="ssl"/>.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">At the await: no address could be connected to (<see cref="System.Net.Sockets.SocketError.ConnectionRefused"/>, ...).</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">At the await: the TLS handshake failed (the certificate does not verify, a wrong host name); the socket is closed.</exception>
    /// <exception cref="TimeoutException">At the await: the TLS handshake took longer than <paramref name="sslHandshakeTimeout"/>.</exception>
    /// <exception cref="NotSupportedException">At the await: the running loop cannot watch descriptors (the plain wait selector).</exception>
    public static Coroutine<(AsyncStreamReader Reader, AsyncStreamWriter Writer)> OpenConnection(string host, int port, int limit = AsyncStreamReader.DefaultLimit,
        System.Net.Security.SslClientAuthenticationOptions? ssl = null, double? sslHandshakeTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        CheckPort(port);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        TlsSide.CheckTimeoutNeedsTls(ssl, sslHandshakeTimeout);
        if (sslHandshakeTimeout is not null) TlsSide.CheckTimeout(sslHandshakeTimeout);
        return OpenStreams(limit, (loop, factory) => loop.CreateConnection(factory, host, port, ssl, sslHandshakeTimeout));
    }

    /// <summary>
    /// Connects to the Unix-domain socket at <paramref name="path"/> and gives the connection as a reader and a writer.
    /// <para>asyncio: <c>reader, writer = await asyncio.open_unix_connection(path, limit=2**16)</c>.</para>
    /// </summary>
    /// <param name="path">The socket's path.</param>
    /// <param name="limit">The reader's <see cref="AsyncStreamReader.Limit"/>.</param>
    /// <returns>A coroutine giving the reader and the writer.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not positive.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">At the await: the connection failed.</exception>
    public static Coroutine<(AsyncStreamReader Reader, AsyncStreamWriter Writer)> OpenUnixConnection(string path, int limit = AsyncStreamReader.DefaultLimit)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return OpenStreams(limit, (loop, factory) => loop.CreateUnixConnection(factory, path));
    }

    /// <summary>
    /// Listens on <paramref name="host"/>:<paramref name="port"/> and runs <paramref name="handler"/> as a new task
    /// for each connection, with its reader and writer. Port 0 picks a free port (<c>Server.Sockets[0].LocalEndPoint</c>).
    /// <para>asyncio: <c>server = await asyncio.start_server(client_connected_cb, host, port, limit=2**16, ssl=None, ssl_handshake_timeout=None)</c>.</para>
    /// </summary>
    /// <param name="handler">Serves one connection. The connection stays open when it returns, as in asyncio:
    /// close the writer in it. An exception from it is reported to the loop's exception handler and closes the
    /// connection.</param>
    /// <param name="host">An IP address (<c>"0.0.0.0"</c> for every IPv4 interface) or a name to resolve.</param>
    /// <param name="port">The port, or 0.</param>
    /// <param name="limit">Each reader's <see cref="AsyncStreamReader.Limit"/>.</param>
    /// <param name="backlog">The listen queue's length.</param>
    /// <param name="ssl">TLS options with the server's certificate: each connection is TLS, and the handler starts
    /// after its handshake (a connection whose handshake fails is closed, the handler never started). Null: plain TCP.</param>
    /// <param name="sslHandshakeTimeout">Seconds each handshake may take (60 when null); only with <paramref name="ssl"/>.</param>
    /// <returns>A coroutine giving the serving <see cref="Server"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not a port number, or <paramref name="limit"/>, <paramref name="backlog"/> or <paramref name="sslHandshakeTimeout"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="sslHandshakeTimeout"/> is given without <paramref name="ssl"/>.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">At the await: an address could not be bound.</exception>
    public static Coroutine<Server> StartServer(Func<AsyncStreamReader, AsyncStreamWriter, Coroutine> handler, string host, int port,
        int limit = AsyncStreamReader.DefaultLimit, int backlog = 100,
        System.Net.Security.SslServerAuthenticationOptions? ssl = null, double? sslHandshakeTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(host);
        CheckPort(port);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(backlog);
        TlsSide.CheckTimeoutNeedsTls(ssl, sslHandshakeTimeout);
        if (sslHandshakeTimeout is not null) TlsSide.CheckTimeout(sslHandshakeTimeout);
        return Serve(limit, handler, (loop, factory) => loop.CreateServer(factory, host, port, backlog, ssl, sslHandshakeTimeout));
    }

    /// <summary>
    /// Listens on a Unix-domain socket made at <paramref name="path"/> (removed by <see cref="Server.Close"/>) and
    /// runs <paramref name="handler"/> as a new task for each connection.
    /// <para>asyncio: <c>server = await asyncio.start_unix_server(client_connected_cb, path, limit=2**16)</c>.</para>
    /// </summary>
    /// <param name="handler">Serves one connection, as for <see cref="StartServer"/>.</param>
    /// <param name="path">Where to make the socket; nothing may exist there.</param>
    /// <param name="limit">Each reader's <see cref="AsyncStreamReader.Limit"/>.</param>
    /// <param name="backlog">The listen queue's length.</param>
    /// <returns>A coroutine giving the serving <see cref="Server"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> or <paramref name="backlog"/> is not positive.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">At the await: the path could not be bound.</exception>
    public static Coroutine<Server> StartUnixServer(Func<AsyncStreamReader, AsyncStreamWriter, Coroutine> handler, string path,
        int limit = AsyncStreamReader.DefaultLimit, int backlog = 100)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(backlog);
        return Serve(limit, handler, (loop, factory) => loop.CreateUnixServer(factory, path, backlog));
    }

    /// <summary>The loop checks the port too, but only when the coroutine runs: arguments are checked at the call.</summary>
    private static void CheckPort(int port)
    {
        if (port is < System.Net.IPEndPoint.MinPort or > System.Net.IPEndPoint.MaxPort)
            throw new ArgumentOutOfRangeException(nameof(port), port, "not a port number");
    }

    /// <summary>A client connection made by <paramref name="connect"/>, with a stream protocol, as a reader and a writer.</summary>
    private static async Coroutine<(AsyncStreamReader, AsyncStreamWriter)> OpenStreams(int limit,
        Func<EventLoop, Func<StreamReaderProtocol>, Coroutine<(ITransport, StreamReaderProtocol)>> connect)
    {
        EventLoop loop = GetRunningLoop();
        var reader = new AsyncStreamReader(limit);
        var (_, protocol) = await connect(loop, () => new StreamReaderProtocol(loop, reader));
        return (reader, protocol.Writer!);
    }

    /// <summary>A server made by <paramref name="listen"/>, each connection with a stream protocol that starts <paramref name="handler"/>.</summary>
    private static async Coroutine<Server> Serve(int limit, Func<AsyncStreamReader, AsyncStreamWriter, Coroutine> handler,
        Func<EventLoop, Func<Protocol>, Coroutine<Server>> listen)
    {
        EventLoop loop = GetRunningLoop();
        return await listen(loop, () => new StreamReaderProtocol(loop, new AsyncStreamReader(limit), handler));
    }
}
