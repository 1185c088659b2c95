using System.Diagnostics;
using System.Net.Security;

namespace Asyncio;

/// <summary>
/// The writing half of a stream connection: writes that never block (the transport buffers what the socket does
/// not take), <see cref="DrainAsync"/> to wait while that buffer is too full, half-closing and closing. Made by
/// <see cref="Aio.OpenConnection"/> and <see cref="Aio.StartServer"/>.
/// <para>asyncio: <c>asyncio.StreamWriter</c>.</para>
/// </summary>
/// <remarks>
/// The usual pattern is asyncio's: <c>Write</c>, then <c>await DrainAsync()</c>, so that a peer that reads slowly
/// slows the writer down instead of growing the buffer without bound. Every member runs on the loop's thread.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class AsyncStreamWriter
{
    /// <summary>Where the bytes go, and what tells of paused writing and of the connection's end.</summary>
    private readonly StreamReaderProtocol _protocol;

    /// <summary>The reading half, whose error <see cref="DrainAsync"/> throws first (asyncio does the same).</summary>
    private readonly AsyncStreamReader _reader;

    internal AsyncStreamWriter(ITransport transport, StreamReaderProtocol protocol, AsyncStreamReader reader)
    {
        Transport = transport;
        _protocol = protocol;
        _reader = reader;
    }

    /// <summary>
    /// The connection's transport (the TLS one after <see cref="StartTlsAsync(SslClientAuthenticationOptions, double?)"/>).
    /// <para>asyncio: <c>StreamWriter.transport</c>.</para>
    /// </summary>
    public ITransport Transport { get; private set; }

    /// <summary>
    /// Whether <see cref="WriteEof"/> is supported (always, for TCP and Unix-domain sockets).
    /// <para>asyncio: <c>StreamWriter.can_write_eof()</c>.</para>
    /// </summary>
    public bool CanWriteEof => Transport.CanWriteEof;

    /// <summary>
    /// True once the connection is closing or closed.
    /// <para>asyncio: <c>StreamWriter.is_closing()</c>.</para>
    /// </summary>
    public bool IsClosing => Transport.IsClosing;

    /// <summary>
    /// Writes <paramref name="data"/>: sent at once as far as the socket takes it, the rest buffered. Never waits;
    /// follow with <see cref="DrainAsync"/>. Ignored once the connection is lost.
    /// <para>asyncio: <c>StreamWriter.write(data)</c>.</para>
    /// </summary>
    /// <param name="data">The bytes; copied.</param>
    /// <exception cref="InvalidOperationException"><see cref="WriteEof"/> was called.</exception>
    public void Write(ReadOnlySpan<byte> data) => Transport.Write(data);

    /// <summary>
    /// Writes each array of <paramref name="data"/> in turn (no separator is added).
    /// <para>asyncio: <c>StreamWriter.writelines(data)</c>.</para>
    /// </summary>
    /// <param name="data">The chunks.</param>
    /// <exception cref="InvalidOperationException"><see cref="WriteEof"/> was called.</exception>
    public void WriteLines(IEnumerable<byte[]> data)
    {
        ArgumentNullException.ThrowIfNull(data);
        foreach (byte[] chunk in data) Transport.Write(chunk);
    }

    /// <summary>
    /// Half-closes: once what is buffered is sent, the peer sees EOF; this side can still read.
    /// <para>asyncio: <c>StreamWriter.write_eof()</c>.</para>
    /// </summary>
    public void WriteEof() => Transport.WriteEof();

    /// <summary>
    /// Waits while the transport's write buffer is above its high-water mark (64 KiB by default), until the socket
    /// took enough of it. Returns at once when the buffer is below the mark.
    /// <para>asyncio: <c>await StreamWriter.drain()</c>.</para>
    /// </summary>
    /// <returns>A coroutine.</returns>
    /// <remarks>At the await: the connection's error if it was lost with one (a
    /// <see cref="System.Net.Sockets.SocketException"/>, <see cref="System.Net.Sockets.SocketError.ConnectionReset"/>
    /// for a reset peer); a <see cref="System.Net.Sockets.SocketException"/> with
    /// <see cref="System.Net.Sockets.SocketError.ConnectionReset"/> once it is closed (asyncio's
    /// <c>ConnectionResetError('Connection lost')</c>).</remarks>
    public async Coroutine DrainAsync()
    {
        if (_reader.Exception() is { } error) throw error;
        // The connection-lost callback runs in a later iteration than the close: yield once so that a closed
        // connection fails here instead of returning as if the bytes could still go (asyncio's sleep(0)).
        if (Transport.IsClosing) await Aio.Sleep(0);
        // Most drains return at once: skip the protocol's coroutine then (one write and drain per message is the hot path).
        if (_protocol.DrainMustWaitOrFail) await _protocol.DrainAsync();
    }

    /// <summary>
    /// Closes the connection: what is buffered is still sent, then the socket is closed. Idempotent; see
    /// <see cref="WaitClosedAsync"/>.
    /// <para>asyncio: <c>StreamWriter.close()</c>.</para>
    /// </summary>
    public void Close() => Transport.Close();

    /// <summary>
    /// Completes once the connection is closed (after <see cref="Close"/>, or when the peer or an error closed it).
    /// <para>asyncio: <c>await StreamWriter.wait_closed()</c>.</para>
    /// </summary>
    /// <returns>A coroutine; at the await it throws the error the connection was lost with, if any.</returns>
    public async Coroutine WaitClosedAsync() => await _protocol.Closed;

    /// <summary>
    /// Upgrades the connection to TLS as its client (SMTP's or IMAP's STARTTLS): drains, runs the handshake, and
    /// from then on this writer and its reader go through TLS. Bytes the reader holds already stay as they came.
    /// <para>asyncio: <c>await StreamWriter.start_tls(sslcontext, server_hostname=..., ssl_handshake_timeout=...)</c>.</para>
    /// </summary>
    /// <param name="options">The client options; <c>TargetHost</c> is required (the name the server's certificate is checked against).</param>
    /// <param name="sslHandshakeTimeout">Seconds the handshake may take; 60 when null.</param>
    /// <returns>A coroutine that completes once the handshake is done.</returns>
    /// <exception cref="ArgumentException">The options name no <c>TargetHost</c>; the connection is already TLS.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sslHandshakeTimeout"/> is not positive.</exception>
    /// <remarks>At the await: <see cref="System.Security.Authentication.AuthenticationException"/> when the handshake
    /// fails, <see cref="TimeoutException"/> when it takes too long; the connection is closed then.</remarks>
    public Coroutine StartTlsAsync(SslClientAuthenticationOptions options, double? sslHandshakeTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        TlsSide.ForClient(options, host: null, sslHandshakeTimeout);   // checked at the call
        return StartTls(loop => loop.StartTlsAsync(Transport, _protocol, options, sslHandshakeTimeout));
    }

    /// <summary>
    /// Upgrades the connection to TLS as its server (the server's side of STARTTLS).
    /// <para>asyncio: <c>await StreamWriter.start_tls(sslcontext)</c> on a server's writer.</para>
    /// </summary>
    /// <param name="options">The server options, with its certificate.</param>
    /// <param name="sslHandshakeTimeout">Seconds the handshake may take; 60 when null.</param>
    /// <returns>A coroutine that completes once the handshake is done.</returns>
    /// <exception cref="ArgumentException">The connection is already TLS.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sslHandshakeTimeout"/> is not positive.</exception>
    /// <remarks>At the await: <see cref="System.Security.Authentication.AuthenticationException"/> when the handshake
    /// fails, <see cref="TimeoutException"/> when it takes too long; the connection is closed then.</remarks>
    public Coroutine StartTlsAsync(SslServerAuthenticationOptions options, double? sslHandshakeTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        TlsSide.CheckTimeout(sslHandshakeTimeout);
        return StartTls(loop => loop.StartTlsAsync(Transport, _protocol, options, sslHandshakeTimeout));
    }

    /// <summary>asyncio's order: drain, start TLS on the loop, then hand the new transport to the writer and the protocol.</summary>
    private async Coroutine StartTls(Func<EventLoop, Coroutine<ITransport>> startTls)
    {
        if (Transport is TlsTransport) throw new ArgumentException("the connection is already TLS");
        await DrainAsync();
        ITransport tls = await startTls(Aio.GetRunningLoop());
        Transport = tls;
        _protocol.ReplaceTransport(tls);
    }

    /// <summary>
    /// Information about the connection: <c>"peername"</c>, <c>"sockname"</c>, <c>"socket"</c>, as
    /// <see cref="ITransport.GetExtraInfo"/>; over TLS also <c>"ssl_object"</c> (the <see cref="SslStream"/>),
    /// <c>"peercert"</c>, <c>"cipher"</c> and <c>"sslcontext"</c>.
    /// <para>asyncio: <c>StreamWriter.get_extra_info(name, default=None)</c>.</para>
    /// </summary>
    /// <param name="name">The key.</param>
    /// <param name="defaultValue">What an unknown key gives.</param>
    /// <returns>The value, or <paramref name="defaultValue"/>.</returns>
    public object? GetExtraInfo(string name, object? defaultValue = null) => Transport.GetExtraInfo(name, defaultValue);

    /// <inheritdoc/>
    public override string ToString() => $"<AsyncStreamWriter transport={Transport} reader={_reader}>";
}
