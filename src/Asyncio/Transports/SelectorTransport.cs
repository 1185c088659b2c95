using System.Net.Sockets;

namespace Asyncio;

/// <summary>
/// What the loop's socket transports share: the start (<c>ConnectionMade</c>, then the reader, then the waiter),
/// the close, the fatal error and the one connection-lost call that releases the socket
/// (asyncio: <c>selector_events._SelectorTransport</c>).
/// </summary>
/// <remarks>
/// <para>Lifecycle: <see cref="_closing"/> is set by <see cref="Close"/> or a fatal error and never cleared; from
/// then on no reader is registered. <see cref="_connectionLost"/> is set once, when <see cref="CallConnectionLost"/>
/// is scheduled or runs; the socket is disposed in that call, after the protocol heard of it.</para>
/// <para>A subclass owns its write buffer and its protocol type; it tells this class whether bytes are still
/// buffered, how to drop them, and how to call its protocol.</para>
/// <para>Everything runs on the loop's thread.</para>
/// </remarks>
internal abstract class SelectorTransport
{
    /// <summary>The loop whose selector watches the socket.</summary>
    protected readonly EventLoop _loop;

    /// <summary>The socket; owned, disposed when the connection is lost (or when the loop closes).</summary>
    protected readonly Socket _socket;

    /// <summary>The socket's descriptor, kept because a disposed socket no longer tells it.</summary>
    protected readonly int _fd;

    /// <summary>The reader callback, made once.</summary>
    protected readonly Action _onReadable;

    /// <summary>Closing or closed: no more reading, and the connection-lost call is coming.</summary>
    protected bool _closing;

    /// <summary>The connection-lost call is scheduled or done (asyncio's <c>_conn_lost</c>).</summary>
    protected bool _connectionLost;

    /// <summary>
    /// Takes ownership of <paramref name="socket"/> and schedules <see cref="Start"/> for the next iteration, where
    /// the protocol hears <c>ConnectionMade</c>, the reader is registered, and then <paramref name="waiter"/>
    /// completes (asyncio's order).
    /// </summary>
    protected SelectorTransport(EventLoop loop, Socket socket, Future<bool>? waiter)
    {
        _loop = loop;
        _socket = socket;
        _fd = (int)socket.Handle;
        _onReadable = ReadReady;
        loop.OwnSocket(socket);
        loop.CallSoon(static state => state.Transport.Start(state.Waiter), (Transport: this, Waiter: waiter));
    }

    /// <summary>asyncio: <c>transport.is_closing()</c>.</summary>
    public bool IsClosing => _closing;

    /// <summary>The protocol, as the loop's exception handler is shown it.</summary>
    protected abstract object ProtocolForReport { get; }

    /// <summary>Bytes or datagrams wait in the write buffer: a close waits for them.</summary>
    protected abstract bool HasBufferedData { get; }

    /// <summary>The reader should be registered once started (the protocol may have paused or closed meanwhile).</summary>
    protected virtual bool ReadsAfterStart => !_closing;

    /// <summary>Tells the protocol the connection is made.</summary>
    protected abstract void CallConnectionMade();

    /// <summary>Tells the protocol the connection is lost (its exception propagates: the socket is released anyway).</summary>
    protected abstract void CallProtocolConnectionLost(Exception? error);

    /// <summary>The selector's reader callback.</summary>
    protected abstract void ReadReady();

    /// <summary>Drops whatever waits in the write buffer (a forced close).</summary>
    protected abstract void ClearBuffer();

    /// <summary>Runs after the socket is released (a server's connection detaches itself).</summary>
    protected virtual void OnReleased()
    {
    }

    private void Start(Future<bool>? waiter)
    {
        try
        {
            CallConnectionMade();
        }
        catch (Exception error)
        {
            Fatal(error, "Fatal error: protocol.connection_made() call failed.");
        }
        if (ReadsAfterStart) _loop.AddReader(_socket, _onReadable);
        if (waiter is { IsDone: false }) waiter.SetResult(true);
    }

    /// <summary>
    /// Closes once the write buffer is sent; the protocol hears <c>ConnectionLost(null)</c> in a later iteration.
    /// <para>asyncio: <c>transport.close()</c>.</para>
    /// </summary>
    public void Close()
    {
        if (_closing) return;
        _closing = true;
        _loop.RemoveReader(_fd);
        if (HasBufferedData) return;   // the writer finishes the close once the buffer is sent.
        _connectionLost = true;
        ScheduleConnectionLost(null);
    }

    /// <summary>Closes at once, dropping the buffer. <para>asyncio: <c>transport.abort()</c>.</para></summary>
    public void Abort() => ForceClose(null);

    /// <summary>
    /// An error the transport cannot go on after: socket errors go to the protocol only (a reset is an ordinary
    /// event); any other error, a protocol callback's, also to the loop's exception handler (asyncio: <c>_fatal_error</c>).
    /// </summary>
    protected void Fatal(Exception error, string message)
    {
        if (error is not SocketException) ReportProtocolError(error, message);
        ForceClose(error);
    }

    /// <summary>Shows a protocol callback's exception to the loop's exception handler, with this transport and its protocol.</summary>
    protected void ReportProtocolError(Exception error, string message) =>
        _loop.CallExceptionHandler(new ExceptionContext(message)
        {
            Exception = error,
            Extra = new Dictionary<string, object?> { ["transport"] = this, ["protocol"] = ProtocolForReport },
        });

    /// <summary>Closes at once, dropping the buffer (asyncio: <c>_force_close</c>).</summary>
    protected void ForceClose(Exception? error)
    {
        if (_connectionLost) return;
        if (HasBufferedData)
        {
            ClearBuffer();
            _loop.RemoveWriter(_fd);
        }
        if (!_closing)
        {
            _closing = true;
            _loop.RemoveReader(_fd);
        }
        _connectionLost = true;
        ScheduleConnectionLost(error);
    }

    private void ScheduleConnectionLost(Exception? error) =>
        _loop.CallSoon(static state => state.Transport.CallConnectionLost(state.Error), (Transport: this, Error: error));

    /// <summary>Tells the protocol, then releases the socket, whatever the protocol does (asyncio: <c>_call_connection_lost</c>).</summary>
    protected void CallConnectionLost(Exception? error)
    {
        _connectionLost = true;
        try
        {
            CallProtocolConnectionLost(error);
        }
        finally
        {
            _loop.RemoveReader(_fd);
            _loop.RemoveWriter(_fd);
            _loop.DisownSocket(_socket);
            _socket.Dispose();
            OnReleased();
        }
    }
}
