namespace Asyncio;

/// <summary>
/// The callbacks a stream transport calls on the loop: a connection is made, bytes arrive, the peer sends its EOF,
/// the connection is lost, and the transport's write buffer crosses its high or low water mark. Override the ones
/// you need; each default does nothing.
/// <para>asyncio: <c>asyncio.Protocol</c> (with <c>BaseProtocol</c>'s flow-control callbacks).</para>
/// </summary>
/// <remarks>
/// The order is fixed: <see cref="ConnectionMade"/> once, then any number of <see cref="DataReceived"/>, then at most
/// one <see cref="EofReceived"/>, then <see cref="ConnectionLost"/> once. An exception thrown by
/// <see cref="ConnectionMade"/>, <see cref="DataReceived"/> or <see cref="EofReceived"/> is reported to the loop's
/// exception handler and closes the transport at once (asyncio's <c>_fatal_error</c>).
/// </remarks>
public abstract class Protocol
{
    /// <summary>
    /// The connection is made; <paramref name="transport"/> is the way to write to it and to close it.
    /// <para>asyncio: <c>Protocol.connection_made(transport)</c>.</para>
    /// </summary>
    /// <param name="transport">The connection's transport.</param>
    public virtual void ConnectionMade(ITransport transport)
    {
    }

    /// <summary>
    /// Bytes arrived. The span is only valid during the call (the transport reuses its buffer): copy what you keep.
    /// <para>asyncio: <c>Protocol.data_received(data)</c>.</para>
    /// </summary>
    /// <param name="data">The bytes, never empty.</param>
    public virtual void DataReceived(ReadOnlySpan<byte> data)
    {
    }

    /// <summary>
    /// The peer will send nothing more (it shut down its sending side, or closed).
    /// <para>asyncio: <c>Protocol.eof_received()</c>.</para>
    /// </summary>
    /// <returns>True keeps the transport open for writing (half-closed); false, the default, closes it.</returns>
    public virtual bool EofReceived() => false;

    /// <summary>
    /// The connection is closed: after <see cref="ITransport.Close"/> (once the buffer is flushed), after
    /// <see cref="ITransport.Abort"/>, after a false <see cref="EofReceived"/>, or on an error. Always called in a
    /// later loop iteration than the call that closed the transport, never inside it.
    /// <para>asyncio: <c>BaseProtocol.connection_lost(exc)</c>.</para>
    /// </summary>
    /// <param name="exception">Null for a regular close; the error otherwise (a <see cref="System.Net.Sockets.SocketException"/>
    /// with <see cref="System.Net.Sockets.SocketError.ConnectionReset"/> for a reset peer).</param>
    public virtual void ConnectionLost(Exception? exception)
    {
    }

    /// <summary>
    /// The transport's write buffer went above its high-water mark: stop writing until <see cref="ResumeWriting"/>.
    /// <para>asyncio: <c>BaseProtocol.pause_writing()</c>.</para>
    /// </summary>
    public virtual void PauseWriting()
    {
    }

    /// <summary>
    /// The transport's write buffer drained to its low-water mark or below: writing may go on.
    /// <para>asyncio: <c>BaseProtocol.resume_writing()</c>.</para>
    /// </summary>
    public virtual void ResumeWriting()
    {
    }
}

/// <summary>
/// A protocol that receives into its own buffer: the transport asks for a buffer, receives into it, and says
/// how many bytes it wrote, so no copy is made. <see cref="Protocol.DataReceived"/> is never called on it.
/// <para>asyncio: <c>asyncio.BufferedProtocol</c>.</para>
/// </summary>
public abstract class BufferedProtocol : Protocol
{
    /// <summary>
    /// The buffer for the next receive.
    /// <para>asyncio: <c>BufferedProtocol.get_buffer(sizehint)</c>.</para>
    /// </summary>
    /// <param name="sizeHint">The size wished for; -1 when the transport has no wish (as asyncio passes).</param>
    /// <returns>A non-empty buffer; an empty one is a fatal error of the transport.</returns>
    public abstract Memory<byte> GetBuffer(int sizeHint);

    /// <summary>
    /// The first <paramref name="count"/> bytes of the buffer <see cref="GetBuffer"/> last returned were filled.
    /// <para>asyncio: <c>BufferedProtocol.buffer_updated(nbytes)</c>.</para>
    /// </summary>
    /// <param name="count">How many bytes arrived, more than zero.</param>
    public abstract void BufferUpdated(int count);
}
