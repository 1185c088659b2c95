using System.Net;

namespace Asyncio;

/// <summary>
/// A UDP endpoint seen from its protocol: sends that never block (a datagram the socket cannot take now is
/// buffered whole and sent when it has room), closing, and flow control. Every member is called on the loop's
/// thread.
/// <para>asyncio: <c>asyncio.DatagramTransport</c>.</para>
/// </summary>
public interface IDatagramTransport
{
    /// <summary>
    /// Sends <paramref name="data"/> as one datagram to <paramref name="address"/>, now if the socket takes it,
    /// else once it has room (the bytes are copied, so the span may be reused at once). An error of this send
    /// goes to <see cref="DatagramProtocol.ErrorReceived"/>. Ignored once the endpoint is lost.
    /// <para>asyncio: <c>DatagramTransport.sendto(data, addr=None)</c>.</para>
    /// </summary>
    /// <param name="data">The datagram; may be empty.</param>
    /// <param name="address">Where to; null (or the remote address itself) on an endpoint made with a remote address.</param>
    /// <exception cref="ArgumentException">The endpoint has a remote address and <paramref name="address"/> is another one (asyncio's <c>ValueError</c>).</exception>
    /// <exception cref="ArgumentNullException">The endpoint has no remote address and <paramref name="address"/> is null.</exception>
    void SendTo(ReadOnlySpan<byte> data, EndPoint? address = null);

    /// <summary>
    /// Closes: stops receiving at once, sends what is buffered, then closes the socket and calls
    /// <see cref="DatagramProtocol.ConnectionLost"/> with null in a later loop iteration. Idempotent.
    /// <para>asyncio: <c>BaseTransport.close()</c>.</para>
    /// </summary>
    void Close();

    /// <summary>
    /// Closes at once, dropping what is buffered; <see cref="DatagramProtocol.ConnectionLost"/> is called with null
    /// in a later loop iteration.
    /// <para>asyncio: <c>DatagramTransport.abort()</c>.</para>
    /// </summary>
    void Abort();

    /// <summary>
    /// True once the transport is closing or closed.
    /// <para>asyncio: <c>BaseTransport.is_closing()</c>.</para>
    /// </summary>
    bool IsClosing { get; }

    /// <summary>
    /// How many bytes wait in the write buffer, counting 8 bytes of header per datagram, as asyncio 3.13 does.
    /// <para>asyncio: <c>DatagramTransport.get_write_buffer_size()</c>.</para>
    /// </summary>
    /// <returns>The buffered byte count.</returns>
    int GetWriteBufferSize();

    /// <summary>
    /// Sets the water marks of the write buffer: <see cref="DatagramProtocol.PauseWriting"/> is called when the
    /// buffer grows above <paramref name="high"/>, <see cref="DatagramProtocol.ResumeWriting"/> when it drains to
    /// <paramref name="low"/> or below. Defaults: high 64 KiB, or 4 × low when only low is given; low = high / 4.
    /// <para>asyncio: <c>set_write_buffer_limits(high=None, low=None)</c>.</para>
    /// </summary>
    /// <param name="high">The high-water mark in bytes, or null for the default.</param>
    /// <param name="low">The low-water mark in bytes, or null for the default.</param>
    /// <exception cref="ArgumentOutOfRangeException">Not <c>high &gt;= low &gt;= 0</c>.</exception>
    void SetWriteBufferLimits(int? high = null, int? low = null);

    /// <summary>
    /// Information about the endpoint: <c>"sockname"</c> (the local <see cref="EndPoint"/>), <c>"peername"</c> (the
    /// remote one when the socket is connected, else null), <c>"socket"</c> (the
    /// <see cref="System.Net.Sockets.Socket"/>; do not read from or write to it). Other names give
    /// <paramref name="defaultValue"/>.
    /// <para>asyncio: <c>BaseTransport.get_extra_info(name, default=None)</c>.</para>
    /// </summary>
    /// <param name="name">The key.</param>
    /// <param name="defaultValue">What an unknown key gives.</param>
    /// <returns>The value, or <paramref name="defaultValue"/>.</returns>
    object? GetExtraInfo(string name, object? defaultValue = null);
}
