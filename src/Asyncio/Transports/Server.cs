using System.Diagnostics;
using System.Net.Sockets;

namespace Asyncio;

/// <summary>
/// Listening sockets that accept connections on the loop, each served by a new protocol over a new transport.
/// Made by <see cref="EventLoop.CreateServer"/>; it accepts from the moment it is made.
/// <para>asyncio: <c>asyncio.Server</c> (<c>base_events.Server</c>).</para>
/// </summary>
/// <remarks>
/// <para>Accepting is readiness-driven: a reader on each listening socket accepts in a loop until the kernel has
/// no connection waiting (at most <c>backlog</c> per iteration, so one busy listener cannot starve the loop).</para>
/// <para><see cref="Close"/> stops accepting and closes the listening sockets, but leaves the accepted
/// connections open, as asyncio does; <see cref="WaitClosedAsync"/> waits until they are lost too
/// (<see cref="CloseClients"/> closes them).</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class Server : IAsyncDisposable
{
    /// <summary>The loop the server accepts on.</summary>
    private readonly EventLoop _loop;

    /// <summary>Makes each connection's protocol.</summary>
    private readonly Func<Protocol> _protocolFactory;

    /// <summary>The most connections accepted per listener in one iteration (asyncio passes its backlog).</summary>
    private readonly int _backlog;

    /// <summary>The listening sockets; empty once closed (asyncio's <c>_sockets</c> set to None).</summary>
    private Socket[] _sockets;

    /// <summary>The connections accepted and not yet lost (asyncio counts them in <c>_active_count</c>).</summary>
    private readonly HashSet<SocketTransport> _clients = [];

    /// <summary>Waiting in <see cref="WaitClosedAsync"/>; null once the server is closed and its last connection lost.</summary>
    private List<Future<bool>>? _waiters = [];

    /// <summary>What <see cref="ServeForeverAsync"/> awaits; cancelled by <see cref="Close"/>.</summary>
    private Future<bool>? _servingForever;

    /// <summary>The path of a Unix-domain server's socket, removed by <see cref="Close"/>; null for TCP.</summary>
    private readonly string? _unixPath;

    internal Server(EventLoop loop, Socket[] sockets, Func<Protocol> protocolFactory, int backlog, string? unixPath = null)
    {
        _unixPath = unixPath;
        _loop = loop;
        _sockets = sockets;
        _protocolFactory = protocolFactory;
        _backlog = backlog;
        foreach (Socket socket in sockets)
        {
            loop.OwnSocket(socket);
            loop.AddReader(socket, () => AcceptReady(socket));
        }
    }

    /// <summary>
    /// The listening sockets; empty once the server is closed.
    /// <para>asyncio: <c>Server.sockets</c>.</para>
    /// </summary>
    public IReadOnlyList<Socket> Sockets => _sockets;

    /// <summary>
    /// True while the server accepts connections.
    /// <para>asyncio: <c>Server.is_serving()</c>.</para>
    /// </summary>
    public bool IsServing => _sockets.Length > 0;

    /// <summary>
    /// Stops accepting and closes the listening sockets (a Unix-domain socket's file is removed); the accepted
    /// connections stay open. Idempotent.
    /// <para>asyncio: <c>Server.close()</c>.</para>
    /// </summary>
    public void Close()
    {
        if (_sockets.Length == 0) return;
        foreach (Socket socket in _sockets)
        {
            _loop.RemoveReader(socket);
            _loop.DisownSocket(socket);
            socket.Dispose();
        }
        _sockets = [];
        if (_unixPath is not null) File.Delete(_unixPath);
        if (_servingForever is { IsDone: false } serving) serving.Cancel();
        _servingForever = null;
        if (_clients.Count == 0) WakeUp();
    }

    /// <summary>
    /// Closes every accepted connection (each flushes its buffer first).
    /// <para>asyncio: <c>Server.close_clients()</c> (3.13).</para>
    /// </summary>
    public void CloseClients()
    {
        foreach (SocketTransport client in _clients.ToArray()) client.Close();
    }

    /// <summary>
    /// Aborts every accepted connection, dropping what they buffered.
    /// <para>asyncio: <c>Server.abort_clients()</c> (3.13).</para>
    /// </summary>
    public void AbortClients()
    {
        foreach (SocketTransport client in _clients.ToArray()) client.Abort();
    }

    /// <summary>
    /// Completes once the server is closed and every connection it accepted is lost.
    /// <para>asyncio: <c>await Server.wait_closed()</c>.</para>
    /// </summary>
    /// <returns>A coroutine.</returns>
    public async Coroutine WaitClosedAsync()
    {
        if (_waiters is null) return;
        var waiter = _loop.CreateFuture<bool>();
        _waiters.Add(waiter);
        await waiter;
    }

    /// <summary>
    /// Accepts until cancelled; cancelling it (or <see cref="Close"/>) closes the server, then waits for
    /// <see cref="WaitClosedAsync"/> before the cancellation goes on.
    /// <para>asyncio: <c>await Server.serve_forever()</c>.</para>
    /// </summary>
    /// <returns>A coroutine that only ends by cancellation.</returns>
    /// <exception cref="InvalidOperationException">At the call: the server is closed, or already serving forever.</exception>
    public Coroutine ServeForeverAsync()
    {
        if (_servingForever is not null) throw new InvalidOperationException($"server {this} is already being awaited on ServeForeverAsync()");
        if (!IsServing) throw new InvalidOperationException($"server {this} is closed");
        _servingForever = _loop.CreateFuture<bool>();
        return ServeForever(_servingForever);
    }

    private async Coroutine ServeForever(Future<bool> servingForever)
    {
        try
        {
            await servingForever;
        }
        catch (CancelledError)
        {
            Close();
            await WaitClosedAsync();
            throw;
        }
    }

    /// <summary>
    /// Closes the server and waits for <see cref="WaitClosedAsync"/> (the end of an <c>await using</c> block).
    /// <para>asyncio: <c>Server.__aexit__</c>.</para>
    /// </summary>
    /// <returns>Completes as <see cref="WaitClosedAsync"/>.</returns>
    public ValueTask DisposeAsync()
    {
        Close();
        return CoroutineCompletionSource.RunInline(WaitClosedAsync());
    }

    /// <summary>The listener's reader: accept what is waiting, each connection with its own protocol and transport.</summary>
    private void AcceptReady(Socket listener)
    {
        for (int i = 0; i < _backlog && IsServing; i++)
        {
            Socket? connection;
            try
            {
                connection = SocketIo.Accept(listener);
            }
            catch (SocketException error) when (error.SocketErrorCode is SocketError.ConnectionAborted or SocketError.ConnectionReset)
            {
                continue;   // the client gave up before it was accepted: nothing to serve
            }
            catch (SocketException error)
            {
                // Out of descriptors, most likely: stop accepting for a second instead of spinning (asyncio does the same).
                _loop.CallExceptionHandler(new ExceptionContext("socket.accept() out of system resource") { Exception = error });
                _loop.RemoveReader(listener);
                _loop.CallLater(1.0, () => { if (IsServing) _loop.AddReader(listener, () => AcceptReady(listener)); });
                return;
            }
            if (connection is null) return;
            Protocol protocol;
            try
            {
                protocol = _protocolFactory();
            }
            catch (Exception error)
            {
                connection.Dispose();
                _loop.CallExceptionHandler(new ExceptionContext("Error on transport creation for incoming connection") { Exception = error });
                continue;
            }
            _ = new SocketTransport(_loop, connection, protocol, waiter: null, server: this);
        }
    }

    /// <summary>A connection was accepted (asyncio: <c>_attach</c>).</summary>
    internal void Attach(SocketTransport client) => _clients.Add(client);

    /// <summary>A connection was lost (asyncio: <c>_detach</c>).</summary>
    internal void Detach(SocketTransport client)
    {
        _clients.Remove(client);
        if (_clients.Count == 0 && !IsServing) WakeUp();
    }

    private void WakeUp()
    {
        List<Future<bool>>? waiters = _waiters;
        _waiters = null;
        if (waiters is null) return;
        foreach (Future<bool> waiter in waiters)
        {
            if (!waiter.IsDone) waiter.SetResult(true);
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"<Server sockets=[{string.Join(", ", _sockets.Select(s => s.LocalEndPoint))}] clients={_clients.Count}>";
}
