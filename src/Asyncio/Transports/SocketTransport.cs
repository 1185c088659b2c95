using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Asyncio;

/// <summary>
/// A stream transport over a connected non-blocking socket, driven by the loop's selector: a reader registered
/// while reading, a writer registered while the write buffer is not empty
/// (asyncio: <c>selector_events._SelectorSocketTransport</c>).
/// </summary>
/// <remarks>
/// The lifecycle (start, close, fatal errors, the connection-lost call) is <see cref="SelectorTransport"/>'s.
/// Everything runs on the loop's thread: the constructor, the public members, and the selector callbacks.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
internal sealed class SocketTransport : SelectorTransport, ITransport
{
    /// <summary>Whom the transport reports to; replaced only by <see cref="SetProtocol"/> (TLS started on the connection).</summary>
    private Protocol _protocol;

    /// <summary>The same protocol when it receives into its own buffer, else null.</summary>
    private BufferedProtocol? _bufferedProtocol;

    /// <summary>The server that accepted the connection, told when it is lost; null for a client connection.</summary>
    private readonly Server? _server;

    /// <summary>Read at creation, as asyncio does: a disposed socket cannot tell its addresses any more.</summary>
    private readonly EndPoint? _peerName, _sockName;

    /// <summary>What could not be sent yet.</summary>
    private WriteBuffer _buffer;

    /// <summary>The writer callback, made the first time a write has to wait: most connections never need one, and an idle one should not hold it.</summary>
    private Action? _onWritable;

    /// <summary>The write buffer's water marks and the protocol's paused state; made when first needed (most connections never buffer).</summary>
    private WriteFlowControl? _flowControl;

    /// <summary><see cref="WriteEof"/> was called.</summary>
    private bool _eof;

    /// <summary><see cref="PauseReading"/> is in effect.</summary>
    private bool _readingPaused;

    /// <summary>
    /// Starts the transport: in the next iteration the protocol hears <see cref="Protocol.ConnectionMade"/>, the
    /// reader is registered, and then <paramref name="waiter"/> completes (asyncio's order).
    /// </summary>
    public SocketTransport(EventLoop loop, Socket socket, Protocol protocol, Future<bool>? waiter, Server? server)
        : base(loop, socket, waiter)
    {
        _protocol = protocol;
        _bufferedProtocol = protocol as BufferedProtocol;
        _server = server;
        _peerName = socket.RemoteEndPoint;
        _sockName = socket.LocalEndPoint;
        if (socket.ProtocolType == ProtocolType.Tcp) socket.NoDelay = true;   // asyncio's _set_nodelay: writes are already coalesced by the buffer
        server?.Attach(this);
    }

    /// <inheritdoc/>
    public bool IsReading => !_readingPaused && !_closing;

    /// <inheritdoc/>
    public bool CanWriteEof => true;

    /// <inheritdoc/>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (_eof) throw new InvalidOperationException("Cannot call Write() after WriteEof()");
        // asyncio counts and logs writes after the loss; they are dropped either way.
        if (data.IsEmpty || _connectionLost) return;
        if (_buffer.Count == 0)
        {
            int sent = SocketIo.Send(_socket, data, out SocketError error);
            if (error != SocketError.Success)
            {
                if (!EventLoop.WouldBlock(error))
                {
                    Fatal(new SocketException((int)error), "Fatal write error on socket transport");
                    return;
                }
                sent = 0;
            }
            data = data[sent..];
            if (data.IsEmpty) return;
            _loop.AddWriter(_socket, _onWritable ??= WriteReady);
        }
        _buffer.Append(data);
        MaybePauseProtocol();
    }

    /// <summary>The writer: the socket has room, send what is buffered.</summary>
    private void WriteReady()
    {
        Debug.Assert(_buffer.Count > 0 || _connectionLost, "the writer is registered only while bytes are pending");
        if (_connectionLost) return;
        int sent = SocketIo.Send(_socket, _buffer.Pending, out SocketError error);
        if (error != SocketError.Success)
        {
            if (EventLoop.WouldBlock(error)) return;
            Fatal(new SocketException((int)error), "Fatal write error on socket transport");
            return;
        }
        _buffer.Consume(sent);
        MaybeResumeProtocol();
        if (_buffer.Count > 0) return;
        _loop.RemoveWriter(_fd);
        // This runs in a later iteration than Close(), so calling the protocol here keeps asyncio's promise.
        if (_closing) CallConnectionLost(null);
        else if (_eof) ShutdownSending();
    }

    /// <summary>The reader: bytes, EOF or an error are waiting.</summary>
    protected override void ReadReady()
    {
        if (_connectionLost) return;
        Memory<byte> target;
        if (_bufferedProtocol is null) target = _loop.TransportReadBuffer;
        else
        {
            try
            {
                target = _bufferedProtocol.GetBuffer(-1);
                if (target.IsEmpty) throw new InvalidOperationException("GetBuffer() returned an empty buffer");
            }
            catch (Exception error)
            {
                Fatal(error, "Fatal error: protocol.get_buffer() call failed.");
                return;
            }
        }
        int received = SocketIo.Receive(_socket, target.Span, out SocketError socketError);
        if (socketError != SocketError.Success)
        {
            if (!EventLoop.WouldBlock(socketError)) Fatal(new SocketException((int)socketError), "Fatal read error on socket transport");
            return;
        }
        if (received == 0)
        {
            ReadEof();
            return;
        }
        try
        {
            if (_bufferedProtocol is null) _protocol.DataReceived(target.Span[..received]);
            else _bufferedProtocol.BufferUpdated(received);
        }
        catch (Exception error)
        {
            Fatal(error, _bufferedProtocol is null
                ? "Fatal error: protocol.data_received() call failed."
                : "Fatal error: protocol.buffer_updated() call failed.");
        }
    }

    /// <summary>The peer sent EOF: the protocol decides whether the transport stays half-open.</summary>
    private void ReadEof()
    {
        bool keepOpen;
        try
        {
            keepOpen = _protocol.EofReceived();
        }
        catch (Exception error)
        {
            Fatal(error, "Fatal error: protocol.eof_received() call failed.");
            return;
        }
        // A half-open transport stops reading: the level-triggered selector would report the EOF again forever.
        if (keepOpen) PauseReading();
        else Close();
    }

    /// <inheritdoc/>
    public void WriteEof()
    {
        if (_closing || _eof) return;
        _eof = true;
        if (_buffer.Count == 0) ShutdownSending();
    }

    /// <summary>Sends the FIN; a peer that already reset the connection makes it a fatal error, not an escaping exception.</summary>
    private void ShutdownSending()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException error)
        {
            Fatal(error, "Fatal error on shutdown of socket transport");
        }
    }

    /// <inheritdoc/>
    protected override object ProtocolForReport => _protocol;

    /// <inheritdoc/>
    protected override bool HasBufferedData => _buffer.Count > 0;

    /// <summary>The protocol may have paused reading or closed the transport in <c>ConnectionMade</c>.</summary>
    protected override bool ReadsAfterStart => IsReading;

    /// <inheritdoc/>
    protected override void CallConnectionMade() => _protocol.ConnectionMade(this);

    /// <inheritdoc/>
    protected override void CallProtocolConnectionLost(Exception? error) => _protocol.ConnectionLost(error);

    /// <inheritdoc/>
    protected override void ClearBuffer() => _buffer.Clear();

    /// <inheritdoc/>
    protected override void OnReleased() => _server?.Detach(this);

    /// <inheritdoc/>
    public void PauseReading()
    {
        if (!IsReading) return;
        _readingPaused = true;
        _loop.RemoveReader(_fd);
    }

    /// <inheritdoc/>
    public void ResumeReading()
    {
        if (_closing || !_readingPaused) return;
        _readingPaused = false;
        AddReader();
    }

    /// <inheritdoc/>
    public void SetWriteBufferLimits(int? high = null, int? low = null) => FlowControl.SetLimits(high, low, _buffer.Count);

    /// <inheritdoc/>
    public int GetWriteBufferSize() => _buffer.Count;

    private WriteFlowControl FlowControl => _flowControl ??= new WriteFlowControl(_loop, this, _protocol, _protocol.PauseWriting, _protocol.ResumeWriting);

    /// <summary>The buffer grew: tell the protocol once if it went above the high-water mark.</summary>
    private void MaybePauseProtocol() => FlowControl.Grew(_buffer.Count);

    /// <summary>The buffer drained: tell a paused protocol once it is at the low-water mark.</summary>
    private void MaybeResumeProtocol() => _flowControl?.Drained(_buffer.Count);

    /// <inheritdoc/>
    public object? GetExtraInfo(string name, object? defaultValue = null) => name switch
    {
        "peername" => _peerName,
        "sockname" => _sockName,
        "socket" => _socket,
        _ => defaultValue,
    };

    /// <summary>
    /// Hands the connection to another protocol, as <c>start_tls</c> does with the TLS layer
    /// (asyncio: <c>transport.set_protocol(protocol)</c>).
    /// </summary>
    internal void SetProtocol(Protocol protocol)
    {
        _protocol = protocol;
        _bufferedProtocol = protocol as BufferedProtocol;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"<SocketTransport fd={_fd} {(_connectionLost ? "closed" : _closing ? "closing" : IsReading ? "read=polling" : "read=idle")} write=<bufsize={_buffer.Count}>>";
}
