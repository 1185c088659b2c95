using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Asyncio;

/// <summary>
/// A datagram transport over a non-blocking UDP socket, driven by the loop's selector: a reader registered while
/// open, a writer registered while datagrams wait in the buffer (asyncio: <c>selector_events._SelectorDatagramTransport</c>).
/// </summary>
/// <remarks>
/// <para>The lifecycle (start, close, fatal errors, the connection-lost call) is <see cref="SelectorTransport"/>'s.</para>
/// <para>An error of one datagram is not fatal: it goes to <see cref="DatagramProtocol.ErrorReceived"/> and the
/// endpoint goes on, as in asyncio.</para>
/// <para>Everything runs on the loop's thread.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
internal sealed class DatagramTransport : SelectorTransport, IDatagramTransport
{
    /// <summary>What a buffered datagram counts beyond its bytes (asyncio 3.13's header size).</summary>
    private const int HeaderSize = 8;

    /// <summary>Whom the transport reports to.</summary>
    private readonly DatagramProtocol _protocol;

    /// <summary>The remote address the endpoint was made with: every datagram goes there (asyncio's <c>_address</c>).</summary>
    private readonly EndPoint? _remote;

    /// <summary>The socket is connected to <see cref="_remote"/> (not with broadcast allowed): send, not send-to.</summary>
    private readonly bool _connected;

    /// <summary>Read at creation: a disposed socket cannot tell its addresses any more.</summary>
    private readonly EndPoint? _peerName;

    /// <summary>Read at creation, or at the first ask after the first send bound an unbound socket.</summary>
    private EndPoint? _sockName;

    /// <summary>What <see cref="Socket.ReceiveFrom(Span{byte}, SocketFlags, ref EndPoint)"/> fills in: an address of the socket's family.</summary>
    private readonly EndPoint _anySender;

    /// <summary>The datagrams the socket could not take yet, whole, in order.</summary>
    private readonly Queue<(byte[] Data, EndPoint? Address)> _buffer = new();

    /// <summary>The writer callback, made once.</summary>
    private readonly Action _onWritable;

    /// <summary>The buffered bytes, with <see cref="HeaderSize"/> per datagram.</summary>
    private int _bufferSize;

    /// <summary>The water marks, and telling the protocol to pause and resume.</summary>
    private readonly WriteFlowControl _flowControl;

    /// <summary>
    /// Starts the transport: in the next iteration the protocol hears <see cref="DatagramProtocol.ConnectionMade"/>,
    /// the reader is registered, and then <paramref name="waiter"/> completes (asyncio's order).
    /// </summary>
    public DatagramTransport(EventLoop loop, Socket socket, DatagramProtocol protocol, EndPoint? remote, Future<bool> waiter)
        : base(loop, socket, waiter)
    {
        _protocol = protocol;
        _remote = remote;
        _connected = socket.Connected;
        _sockName = socket.LocalEndPoint;
        _peerName = _connected ? socket.RemoteEndPoint : null;
        _anySender = socket.AddressFamily switch
        {
            AddressFamily.InterNetworkV6 => new IPEndPoint(IPAddress.IPv6Any, 0),
            AddressFamily.InterNetwork => new IPEndPoint(IPAddress.Any, 0),
            _ => socket.LocalEndPoint!,   // a bound Unix-domain socket: its own kind of address
        };
        _onWritable = WriteReady;
        _flowControl = new WriteFlowControl(loop, this, protocol, protocol.PauseWriting, protocol.ResumeWriting);
    }

    /// <inheritdoc/>
    public void SendTo(ReadOnlySpan<byte> data, EndPoint? address = null)
    {
        address = CheckAddress(address);
        if (_connectionLost) return;   // asyncio counts and logs these; they are dropped either way.
        if (_buffer.Count == 0)
        {
            SocketError error = Send(data, address);
            if (error == SocketError.Success) return;
            if (!EventLoop.WouldBlock(error))
            {
                CallErrorReceived(new SocketException((int)error));
                return;
            }
            _loop.AddWriter(_socket, _onWritable);
        }
        _buffer.Enqueue((data.ToArray(), address));
        _bufferSize += data.Length + HeaderSize;
        _flowControl.Grew(_bufferSize);
    }

    /// <summary>Where a datagram goes: the remote address of the endpoint, or the one given (checked).</summary>
    private EndPoint? CheckAddress(EndPoint? address)
    {
        if (_remote is not null)
        {
            if (address is not null && !address.Equals(_remote))
                throw new ArgumentException($"Invalid address: must be null or {_remote}", nameof(address));
            return _remote;
        }
        if (address is null)
            throw new ArgumentNullException(nameof(address), "an endpoint made without a remote address needs the address of each datagram");
        if (address is not IPEndPoint ip)
            throw new ArgumentException($"an IPEndPoint is expected (resolve names first), not {address.GetType().Name}", nameof(address));
        bool mapped = ip.AddressFamily == AddressFamily.InterNetwork && _socket.AddressFamily == AddressFamily.InterNetworkV6 && _socket.DualMode;
        if (ip.AddressFamily != _socket.AddressFamily && !mapped)
            throw new ArgumentException($"{ip} is not of the endpoint's address family {_socket.AddressFamily}", nameof(address));
        return ip;
    }

    /// <summary>One non-blocking send of one datagram; the socket's answer.</summary>
    private SocketError Send(ReadOnlySpan<byte> data, EndPoint? address)
    {
        if (_connected)
        {
            _socket.Send(data, SocketFlags.None, out SocketError error);
            return error;
        }
        try
        {
            _socket.SendTo(data, SocketFlags.None, address!);
            return SocketError.Success;
        }
        catch (SocketException error)
        {
            return error.SocketErrorCode;
        }
    }

    /// <summary>The writer: the socket has room, send the buffered datagrams in order until it has none.</summary>
    private void WriteReady()
    {
        if (_connectionLost) return;
        while (_buffer.TryPeek(out var datagram))
        {
            SocketError error = Send(datagram.Data, datagram.Address);
            if (EventLoop.WouldBlock(error)) break;
            _buffer.Dequeue();
            _bufferSize -= datagram.Data.Length + HeaderSize;
            if (error != SocketError.Success)
            {
                // The datagram is dropped, as asyncio drops it; the others go on in the next writable iteration.
                CallErrorReceived(new SocketException((int)error));
                break;
            }
        }
        _flowControl.Drained(_bufferSize);
        if (_buffer.Count > 0 || _connectionLost) return;
        _loop.RemoveWriter(_fd);
        // This runs in a later iteration than Close(), so calling the protocol here keeps asyncio's promise.
        if (_closing) CallConnectionLost(null);
    }

    /// <summary>The reader: a datagram or an error is waiting.</summary>
    protected override void ReadReady()
    {
        if (_connectionLost) return;
        byte[] buffer = _loop.TransportReadBuffer;
        EndPoint sender = _anySender;
        int received;
        try
        {
            received = _socket.ReceiveFrom(buffer, SocketFlags.None, ref sender);
        }
        catch (SocketException error)
        {
            if (!EventLoop.WouldBlock(error.SocketErrorCode)) CallErrorReceived(error);
            return;
        }
        try
        {
            _protocol.DatagramReceived(buffer.AsSpan(0, received), sender);
        }
        catch (Exception error)
        {
            // asyncio lets it reach the loop's handler as any callback's, and the endpoint goes on.
            ReportProtocolError(error, "Exception in protocol.datagram_received()");
        }
    }

    /// <summary>An error of one datagram: the protocol hears it and the endpoint goes on.</summary>
    private void CallErrorReceived(SocketException error)
    {
        try
        {
            _protocol.ErrorReceived(error);
        }
        catch (Exception thrown)
        {
            ReportProtocolError(thrown, "Exception in protocol.error_received()");
        }
    }

    /// <inheritdoc/>
    protected override object ProtocolForReport => _protocol;

    /// <inheritdoc/>
    protected override bool HasBufferedData => _buffer.Count > 0;

    /// <inheritdoc/>
    protected override void CallConnectionMade() => _protocol.ConnectionMade(this);

    /// <inheritdoc/>
    protected override void CallProtocolConnectionLost(Exception? error) => _protocol.ConnectionLost(error);

    /// <inheritdoc/>
    protected override void ClearBuffer()
    {
        _buffer.Clear();
        _bufferSize = 0;
    }

    /// <inheritdoc/>
    public void SetWriteBufferLimits(int? high = null, int? low = null) => _flowControl.SetLimits(high, low, _bufferSize);

    /// <inheritdoc/>
    public int GetWriteBufferSize() => _bufferSize;

    /// <inheritdoc/>
    public object? GetExtraInfo(string name, object? defaultValue = null) => name switch
    {
        "peername" => _peerName,
        // An endpoint made unbound is bound by its first send: ask the socket until it knows (asyncio would give the
        // unbound ('0.0.0.0', 0) it read at creation).
        "sockname" => _sockName ??= _connectionLost ? null : _socket.LocalEndPoint,
        "socket" => _socket,
        _ => defaultValue,
    };

    /// <inheritdoc/>
    public override string ToString() =>
        $"<DatagramTransport fd={_fd} {(_connectionLost ? "closed" : _closing ? "closing" : "open")} write=<bufsize={_bufferSize}>>";
}
