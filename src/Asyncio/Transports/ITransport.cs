namespace Asyncio;

/// <summary>
/// A stream connection seen from its protocol: writes that never block (the rest is buffered and sent when the
/// socket has room), closing, half-closing, and flow control both ways. Every member is called on the loop's thread.
/// <para>asyncio: <c>asyncio.Transport</c> (<c>ReadTransport</c> and <c>WriteTransport</c>).</para>
/// </summary>
public interface ITransport
{
    /// <summary>
    /// Sends <paramref name="data"/> now as far as the socket takes it and buffers the rest; the bytes are copied,
    /// so the span may be reused at once. Ignored once the connection is lost.
    /// <para>asyncio: <c>WriteTransport.write(data)</c>.</para>
    /// </summary>
    /// <param name="data">The bytes.</param>
    /// <exception cref="InvalidOperationException"><see cref="WriteEof"/> was called.</exception>
    void Write(ReadOnlySpan<byte> data);

    /// <summary>
    /// Half-closes: once the buffer is flushed, shuts down the sending side, so the peer sees EOF while this side
    /// can still receive. Does nothing when closing.
    /// <para>asyncio: <c>WriteTransport.write_eof()</c>.</para>
    /// </summary>
    void WriteEof();

    /// <summary>
    /// Whether <see cref="WriteEof"/> is supported (always for stream sockets).
    /// <para>asyncio: <c>WriteTransport.can_write_eof()</c>.</para>
    /// </summary>
    bool CanWriteEof { get; }

    /// <summary>
    /// Closes: stops reading at once, sends what is buffered, then closes the socket and calls
    /// <see cref="Protocol.ConnectionLost"/> with null in a later loop iteration. Idempotent.
    /// <para>asyncio: <c>BaseTransport.close()</c>.</para>
    /// </summary>
    void Close();

    /// <summary>
    /// Closes at once, dropping what is buffered; <see cref="Protocol.ConnectionLost"/> is called with null in a
    /// later loop iteration.
    /// <para>asyncio: <c>WriteTransport.abort()</c>.</para>
    /// </summary>
    void Abort();

    /// <summary>
    /// True once the transport is closing or closed.
    /// <para>asyncio: <c>BaseTransport.is_closing()</c>.</para>
    /// </summary>
    bool IsClosing { get; }

    /// <summary>
    /// Stops calling <see cref="Protocol.DataReceived"/> until <see cref="ResumeReading"/>; the kernel keeps what
    /// arrives meanwhile (and, once its buffer is full, the peer is slowed down). Idempotent.
    /// <para>asyncio: <c>ReadTransport.pause_reading()</c>.</para>
    /// </summary>
    void PauseReading();

    /// <summary>
    /// Calls <see cref="Protocol.DataReceived"/> again, starting with what arrived while paused. Idempotent.
    /// <para>asyncio: <c>ReadTransport.resume_reading()</c>.</para>
    /// </summary>
    void ResumeReading();

    /// <summary>
    /// True while the transport receives: neither paused nor closing.
    /// <para>asyncio: <c>ReadTransport.is_reading()</c>.</para>
    /// </summary>
    bool IsReading { get; }

    /// <summary>
    /// Sets the water marks of the write buffer: <see cref="Protocol.PauseWriting"/> is called when the buffer
    /// grows above <paramref name="high"/>, <see cref="Protocol.ResumeWriting"/> when it drains to
    /// <paramref name="low"/> or below. Defaults: high 64 KiB, or 4 × low when only low is given; low = high / 4.
    /// <para>asyncio: <c>WriteTransport.set_write_buffer_limits(high=None, low=None)</c>.</para>
    /// </summary>
    /// <param name="high">The high-water mark in bytes, or null for the default.</param>
    /// <param name="low">The low-water mark in bytes, or null for the default.</param>
    /// <exception cref="ArgumentOutOfRangeException">Not <c>high &gt;= low &gt;= 0</c> (asyncio raises <c>ValueError</c>).</exception>
    void SetWriteBufferLimits(int? high = null, int? low = null);

    /// <summary>
    /// How many bytes wait in the write buffer.
    /// <para>asyncio: <c>WriteTransport.get_write_buffer_size()</c>.</para>
    /// </summary>
    /// <returns>The buffered byte count.</returns>
    int GetWriteBufferSize();

    /// <summary>
    /// Information about the connection: <c>"peername"</c> and <c>"sockname"</c> (the remote and local
    /// <see cref="System.Net.EndPoint"/>), <c>"socket"</c> (the <see cref="System.Net.Sockets.Socket"/>; do not read
    /// from or write to it). Other names give <paramref name="defaultValue"/>.
    /// <para>asyncio: <c>BaseTransport.get_extra_info(name, default=None)</c>.</para>
    /// </summary>
    /// <param name="name">The key.</param>
    /// <param name="defaultValue">What an unknown key gives.</param>
    /// <returns>The value, or <paramref name="defaultValue"/>.</returns>
    object? GetExtraInfo(string name, object? defaultValue = null);
}
