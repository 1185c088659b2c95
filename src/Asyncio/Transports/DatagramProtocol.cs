using System.Net;

namespace Asyncio;

/// <summary>
/// The callbacks a datagram transport calls on the loop: the endpoint is ready, a datagram arrived, a send or
/// receive failed, the endpoint is closed, and the write buffer crosses its high or low water mark. Override
/// the ones you need; each default does nothing.
/// <para>asyncio: <c>asyncio.DatagramProtocol</c> (with <c>BaseProtocol</c>'s flow-control callbacks).</para>
/// </summary>
/// <remarks>
/// The order is fixed: <see cref="ConnectionMade"/> once, then any number of <see cref="DatagramReceived"/> and
/// <see cref="ErrorReceived"/>, then <see cref="ConnectionLost"/> once. An error of one datagram (a port that
/// answered with ICMP "unreachable", a datagram too large) reaches <see cref="ErrorReceived"/> and the endpoint
/// stays open, as in asyncio.
/// </remarks>
public abstract class DatagramProtocol
{
    /// <summary>
    /// The endpoint is ready; <paramref name="transport"/> is the way to send and to close it.
    /// <para>asyncio: <c>BaseProtocol.connection_made(transport)</c>.</para>
    /// </summary>
    /// <param name="transport">The endpoint's transport.</param>
    public virtual void ConnectionMade(IDatagramTransport transport)
    {
    }

    /// <summary>
    /// A datagram arrived. The span is only valid during the call (the transport reuses its buffer): copy what
    /// you keep.
    /// <para>asyncio: <c>DatagramProtocol.datagram_received(data, addr)</c>.</para>
    /// </summary>
    /// <param name="data">The datagram's bytes (possibly empty: UDP allows empty datagrams).</param>
    /// <param name="address">Who sent it.</param>
    public virtual void DatagramReceived(ReadOnlySpan<byte> data, EndPoint address)
    {
    }

    /// <summary>
    /// A send or a receive failed; the endpoint stays open. On an endpoint with a remote address, a datagram
    /// sent to a port nobody listens on comes back as a <see cref="System.Net.Sockets.SocketException"/> with
    /// <see cref="System.Net.Sockets.SocketError.ConnectionRefused"/> (the kernel's ICMP report).
    /// <para>asyncio: <c>DatagramProtocol.error_received(exc)</c>.</para>
    /// </summary>
    /// <param name="exception">The error, a <see cref="System.Net.Sockets.SocketException"/>.</param>
    public virtual void ErrorReceived(Exception exception)
    {
    }

    /// <summary>
    /// The endpoint is closed: after <see cref="IDatagramTransport.Close"/> (once the buffered datagrams are sent),
    /// after <see cref="IDatagramTransport.Abort"/>, or on a fatal error. Always called once, in a later loop
    /// iteration than the call that closed the transport.
    /// <para>asyncio: <c>BaseProtocol.connection_lost(exc)</c>.</para>
    /// </summary>
    /// <param name="exception">Null for a regular close; the error otherwise.</param>
    public virtual void ConnectionLost(Exception? exception)
    {
    }

    /// <summary>
    /// The transport's write buffer went above its high-water mark: stop sending until <see cref="ResumeWriting"/>.
    /// <para>asyncio: <c>BaseProtocol.pause_writing()</c>.</para>
    /// </summary>
    public virtual void PauseWriting()
    {
    }

    /// <summary>
    /// The transport's write buffer drained to its low-water mark or below: sending may go on.
    /// <para>asyncio: <c>BaseProtocol.resume_writing()</c>.</para>
    /// </summary>
    public virtual void ResumeWriting()
    {
    }
}
