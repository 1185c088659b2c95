using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// What every transport over a descriptor the loop's selector watches shares, socket or pipe: the start
/// (<c>ConnectionMade</c>, then the registration, then the waiter), the close, the fatal error and the one
/// connection-lost call that releases the descriptor (asyncio writes this lifecycle out twice, in
/// <c>selector_events._SelectorTransport</c> and again in <c>unix_events</c>' two pipe transports).
/// </summary>
/// <remarks>
/// <para>Lifecycle: <see cref="_closing"/> is set by <see cref="Close"/>, <see cref="Abort"/>, a fatal error or the
/// end of the input, and never cleared; from then on nothing registers to read. <see cref="_connectionLost"/> is set
/// once, when <see cref="CallConnectionLost"/> is scheduled or (after a close that flushed the buffer) runs; the
/// descriptor is released in that call, after the protocol heard of it.</para>
/// <para>What varies is the descriptor and the protocol: a subclass registers its callbacks, says which errors are
/// the connection's ordinary end, releases the descriptor (and gives it back to the loop, which closes what is
/// left open when it closes), owns the write buffer and calls its own protocol type.</para>
/// <para>Everything runs on the loop's thread.</para>
/// </remarks>
internal abstract class DescriptorTransport
{
    /// <summary>The loop whose selector watches the descriptor.</summary>
    protected readonly EventLoop _loop;

    /// <summary>The descriptor, kept because a released socket or handle no longer tells it.</summary>
    protected readonly int _fd;

    /// <summary>Closing or closed: no more reading, and the connection-lost call is coming.</summary>
    protected bool _closing;

    /// <summary>The connection-lost call is scheduled or done (asyncio's <c>_conn_lost</c>).</summary>
    protected bool _connectionLost;

    /// <summary>A transport over <paramref name="fd"/>; the subclass takes ownership, then calls <see cref="ScheduleStart"/>.</summary>
    protected DescriptorTransport(EventLoop loop, int fd)
    {
        _loop = loop;
        _fd = fd;
    }

    /// <summary>asyncio: <c>transport.is_closing()</c>.</summary>
    public bool IsClosing => _closing;

    /// <summary>The protocol, as the loop's exception handler is shown it.</summary>
    protected abstract object ProtocolForReport { get; }

    /// <summary>Bytes or datagrams wait in the write buffer: a close waits for them.</summary>
    protected abstract bool HasBufferedData { get; }

    /// <summary>
    /// The reader stays registered while a close flushes the buffer. A socket stops reading at once; a pipe's writing
    /// end keeps its reader, which is how it learns that the reading end closed (asyncio's <c>write_eof</c>).
    /// </summary>
    protected virtual bool KeepsReaderWhileFlushing => false;

    /// <summary>Tells the protocol the connection is made.</summary>
    protected abstract void CallConnectionMade();

    /// <summary>Tells the protocol the connection is lost (its exception propagates: the descriptor is released anyway).</summary>
    protected abstract void CallProtocolConnectionLost(Exception? error);

    /// <summary>Registers the selector callbacks once the protocol knows the transport; not called once closing.</summary>
    protected abstract void Register();

    /// <summary>Drops whatever waits in the write buffer (a forced close).</summary>
    protected abstract void ClearBuffer();

    /// <summary>
    /// <paramref name="error"/>, given to <see cref="Fatal"/>, is the connection's ordinary end (a reset peer), which the
    /// protocol hears and the loop's exception handler does not; asyncio asks <c>isinstance(exc, OSError)</c>.
    /// </summary>
    protected abstract bool IsConnectionError(Exception error);

    /// <summary>Closes the descriptor and takes it back from the loop; called once, by <see cref="CallConnectionLost"/>.</summary>
    protected abstract void Release();

    /// <summary>
    /// Schedules the start for the next iteration, where the protocol hears <c>ConnectionMade</c>, the callbacks are
    /// registered, and then <paramref name="waiter"/> completes (asyncio's order).
    /// </summary>
    protected void ScheduleStart(Future<bool>? waiter) =>
        _loop.CallSoon(static state => state.Transport.Start(state.Waiter), (Transport: this, Waiter: waiter));

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
        // The protocol may have closed the transport in ConnectionMade: a closed transport registers nothing.
        if (!_closing) Register();
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
        if (HasBufferedData)
        {
            // The writer finishes the close once the buffer is sent.
            if (!KeepsReaderWhileFlushing) _loop.RemoveReader(_fd);
            return;
        }
        _loop.RemoveReader(_fd);
        ScheduleConnectionLost(null);
    }

    /// <summary>Closes at once, dropping the buffer. <para>asyncio: <c>transport.abort()</c>.</para></summary>
    public void Abort() => ForceClose(null);

    /// <summary>
    /// An error the transport cannot go on after (asyncio: <c>_fatal_error</c>): a connection error
    /// (<see cref="IsConnectionError"/>) goes to the protocol only; any other, a protocol callback's, also to the
    /// loop's exception handler, with <paramref name="message"/>.
    /// </summary>
    protected void Fatal(Exception error, string message)
    {
        if (!IsConnectionError(error)) ReportProtocolError(error, message);
        ForceClose(error);
    }

    /// <summary>Shows a protocol callback's exception to the loop's exception handler, with this transport and its protocol.</summary>
    protected void ReportProtocolError(Exception error, string message) =>
        _loop.CallExceptionHandler(new ExceptionContext(message)
        {
            Exception = error,
            Extra = new Dictionary<string, object?> { ["transport"] = this, ["protocol"] = ProtocolForReport },
        });

    /// <summary>Closes at once, dropping the buffer; the protocol hears <paramref name="error"/> (asyncio: <c>_force_close</c>, the pipes' <c>_close</c>).</summary>
    protected void ForceClose(Exception? error)
    {
        if (_connectionLost) return;
        if (HasBufferedData)
        {
            ClearBuffer();
            _loop.RemoveWriter(_fd);
        }
        _closing = true;
        _loop.RemoveReader(_fd);
        ScheduleConnectionLost(error);
    }

    /// <summary>Schedules the one connection-lost call for the next iteration, so it never runs inside the call that closed.</summary>
    protected void ScheduleConnectionLost(Exception? error)
    {
        Debug.Assert(_closing, "only a closing transport loses its connection");
        Debug.Assert(!_connectionLost, "the connection is lost once");
        _connectionLost = true;
        _loop.CallSoon(static state => state.Transport.CallConnectionLost(state.Error), (Transport: this, Error: error));
    }

    /// <summary>Tells the protocol, then releases the descriptor, whatever the protocol does (asyncio: <c>_call_connection_lost</c>).</summary>
    protected void CallConnectionLost(Exception? error)
    {
        Debug.Assert(_closing, "only a closing transport loses its connection");
        _connectionLost = true;
        try
        {
            CallProtocolConnectionLost(error);
        }
        finally
        {
            _loop.RemoveReader(_fd);
            _loop.RemoveWriter(_fd);
            Release();
        }
    }

    /// <summary>The state as the transports' <c>ToString</c> shows it.</summary>
    protected string State => _connectionLost ? "closed" : _closing ? "closing" : "open";
}
