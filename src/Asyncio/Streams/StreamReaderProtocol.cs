using System.Net.Sockets;

namespace Asyncio;

/// <summary>
/// The protocol under a stream pair: it feeds the connection's bytes, EOF and error to the
/// <see cref="AsyncStreamReader"/>, keeps the write side's flow control for <see cref="AsyncStreamWriter.DrainAsync"/>,
/// and on a server starts the client handler as a task once the connection is made
/// (asyncio: <c>streams.StreamReaderProtocol</c> with <c>streams.FlowControlMixin</c>).
/// </summary>
/// <remarks>
/// Everything runs on the loop's thread. The drain waiters exist only while writing is paused: a resume or the loss
/// of the connection completes all of them, so none is ever left behind.
/// </remarks>
internal sealed class StreamReaderProtocol : Protocol
{
    /// <summary>The loop the connection lives on.</summary>
    private readonly EventLoop _loop;

    /// <summary>Where the bytes go.</summary>
    private readonly AsyncStreamReader _reader;

    /// <summary>The server's handler, started per connection; null on a client connection.</summary>
    private readonly Func<AsyncStreamReader, AsyncStreamWriter, Coroutine>? _clientConnected;

    /// <summary>Completed when the connection is lost: with null, or with its error (awaited by <see cref="AsyncStreamWriter.WaitClosedAsync"/>).</summary>
    private readonly Future<bool> _closed;

    /// <summary>The tasks waiting in <see cref="DrainAsync"/> for the transport to resume writing.</summary>
    private readonly List<Future<bool>> _drainWaiters = [];

    /// <summary>The transport's write buffer is above its high-water mark (asyncio's <c>_paused</c>).</summary>
    private bool _writingPaused;

    /// <summary>The connection's transport: the plain one, then the TLS one after <see cref="ReplaceTransport"/>.</summary>
    private ITransport _transport = null!;

    /// <summary>The connection was lost (asyncio's <c>_connection_lost</c>).</summary>
    private bool _connectionLost;

    /// <summary>The error the connection was lost with, if any.</summary>
    private Exception? _lostWith;

    /// <summary>Makes the protocol of one connection.</summary>
    public StreamReaderProtocol(EventLoop loop, AsyncStreamReader reader, Func<AsyncStreamReader, AsyncStreamWriter, Coroutine>? clientConnected = null)
    {
        _loop = loop;
        _reader = reader;
        _clientConnected = clientConnected;
        _closed = loop.CreateFuture<bool>();
    }

    /// <summary>The writing half, made with the connection.</summary>
    public AsyncStreamWriter? Writer { get; private set; }

    /// <summary>Completes when the connection is lost; throws its error if it had one.</summary>
    public Future<bool> Closed => _closed;

    /// <summary>The writer's transport became a TLS one (asyncio: <c>StreamReaderProtocol._replace_transport</c>).</summary>
    public void ReplaceTransport(ITransport transport)
    {
        _transport = transport;
        _reader.ReplaceTransport(transport);
    }

    public override void ConnectionMade(ITransport transport)
    {
        _transport = transport;
        _reader.SetTransport(transport);
        Writer = new AsyncStreamWriter(transport, this, _reader);
        if (_clientConnected is null) return;
        AioTask handler;
        try
        {
            handler = _loop.CreateTask(_clientConnected(_reader, Writer));
        }
        catch (Exception error)
        {
            // A handler that throws before its first await: the same outcome as one that fails later.
            ReportHandlerFailure(transport, error);
            return;
        }
        handler.AddDoneCallback(done =>
        {
            // A cancelled handler will not close its connection: close it here (asyncio since 3.12.x does the same).
            if (done.IsCancelled) _transport.Close();
            else if (done.Exception() is { } error) ReportHandlerFailure(_transport, error);
        });
    }

    public override void DataReceived(ReadOnlySpan<byte> data) => _reader.FeedData(data);

    /// <summary>The peer sent EOF: the reader sees it, and the connection stays open for writing (half-closed).</summary>
    public override bool EofReceived()
    {
        _reader.FeedEof();
        return true;
    }

    public override void ConnectionLost(Exception? exception)
    {
        if (exception is null) _reader.FeedEof();
        else _reader.SetException(exception);
        if (exception is null) _closed.SetResult(true);
        else
        {
            _closed.SetException(exception);
            // Nobody has to await WaitClosedAsync: the error must not be reported as never retrieved (asyncio does the same).
            _ = _closed.Exception();
        }
        _connectionLost = true;
        _lostWith = exception;
        WakeDrainWaiters(exception);
    }

    public override void PauseWriting() => _writingPaused = true;

    public override void ResumeWriting()
    {
        _writingPaused = false;
        WakeDrainWaiters(null);
    }

    /// <summary>
    /// Returns at once unless writing is paused; then waits for the resume, or for the loss of the connection.
    /// (asyncio: <c>FlowControlMixin._drain_helper</c>).
    /// </summary>
    public async Coroutine DrainAsync()
    {
        if (_connectionLost) throw _lostWith ?? new SocketException((int)SocketError.ConnectionReset);
        if (!_writingPaused) return;
        Future<bool> waiter = _loop.CreateFuture<bool>();
        _drainWaiters.Add(waiter);
        try
        {
            await waiter;
        }
        finally
        {
            _drainWaiters.Remove(waiter);
        }
    }

    /// <summary>False when <see cref="DrainAsync"/> would return at once: neither lost nor paused.</summary>
    internal bool DrainMustWaitOrFail => _connectionLost || _writingPaused;

    private void WakeDrainWaiters(Exception? exception)
    {
        foreach (Future<bool> waiter in _drainWaiters.ToArray())
        {
            if (waiter.IsDone) continue;
            if (exception is null) waiter.SetResult(true);
            else waiter.SetException(exception);
        }
    }

    /// <summary>asyncio 3.12: an exception from the handler is reported and closes the connection, so the peer is not left waiting.</summary>
    private void ReportHandlerFailure(ITransport transport, Exception error)
    {
        _loop.CallExceptionHandler(new ExceptionContext("Unhandled exception in client_connected_cb")
        {
            Exception = error,
            Extra = new Dictionary<string, object?> { ["transport"] = transport },
        });
        transport.Close();
    }
}
