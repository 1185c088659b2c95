using System.Net.Security;
using System.Net.Sockets;

namespace Asyncio;

/// <summary>
/// TLS over the loop's stream transports: a <see cref="TlsProtocol"/> between the socket transport and the
/// application's protocol, for new connections (<c>ssl:</c> of <see cref="CreateConnection"/> and
/// <see cref="CreateServer"/>) and for an open one (<see cref="StartTlsAsync(ITransport, Protocol, SslClientAuthenticationOptions, double?)"/>).
/// </summary>
public sealed partial class EventLoop
{
    /// <summary>
    /// Upgrades an open connection to TLS as its client: the transport's bytes go to a TLS layer from now on, the
    /// handshake runs, and the TLS transport to use instead of <paramref name="transport"/> is given back.
    /// <paramref name="protocol"/> keeps receiving, decrypted; it does not hear <see cref="Protocol.ConnectionMade"/>
    /// again. Bytes the peer sent before the call and that the protocol already received stay plain.
    /// <para>asyncio: <c>new_transport = await loop.start_tls(transport, protocol, sslcontext, server_hostname=...)</c>.</para>
    /// </summary>
    /// <param name="transport">A transport made by this loop's <see cref="CreateConnection"/>, <see cref="CreateServer"/>
    /// or their Unix-domain twins, without TLS.</param>
    /// <param name="protocol">The protocol the TLS transport serves (usually the transport's own).</param>
    /// <param name="options">The client options; <c>TargetHost</c> is required (the name the server's certificate is checked against).</param>
    /// <param name="sslHandshakeTimeout">Seconds the handshake may take; 60 when null.</param>
    /// <returns>A coroutine giving the TLS transport once the handshake is done.</returns>
    /// <exception cref="ArgumentException"><paramref name="transport"/> is not a plain transport of this library, or the options name no <c>TargetHost</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sslHandshakeTimeout"/> is not positive.</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">At the await: the handshake failed; the connection is closed.</exception>
    /// <exception cref="TimeoutException">At the await: the handshake took longer than <paramref name="sslHandshakeTimeout"/>; the connection is closed.</exception>
    public Coroutine<ITransport> StartTlsAsync(ITransport transport, Protocol protocol, SslClientAuthenticationOptions options, double? sslHandshakeTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return StartTls(PlainTransportOf(transport), protocol, TlsSide.ForClient(options, host: null, sslHandshakeTimeout));
    }

    /// <summary>
    /// Upgrades an open connection to TLS as its server (the other end calls the client overload, or speaks TLS
    /// from its side of a STARTTLS exchange).
    /// <para>asyncio: <c>new_transport = await loop.start_tls(transport, protocol, sslcontext, server_side=True)</c>.</para>
    /// </summary>
    /// <param name="transport">A plain transport made by this loop.</param>
    /// <param name="protocol">The protocol the TLS transport serves.</param>
    /// <param name="options">The server options, with its certificate.</param>
    /// <param name="sslHandshakeTimeout">Seconds the handshake may take; 60 when null.</param>
    /// <returns>A coroutine giving the TLS transport once the handshake is done.</returns>
    /// <exception cref="ArgumentException"><paramref name="transport"/> is not a plain transport of this library.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sslHandshakeTimeout"/> is not positive.</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">At the await: the handshake failed; the connection is closed.</exception>
    /// <exception cref="TimeoutException">At the await: the handshake took too long; the connection is closed.</exception>
    public Coroutine<ITransport> StartTlsAsync(ITransport transport, Protocol protocol, SslServerAuthenticationOptions options, double? sslHandshakeTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return StartTls(PlainTransportOf(transport), protocol, TlsSide.ForServer(options, sslHandshakeTimeout));
    }

    /// <summary>asyncio raises <c>TypeError</c> for a transport <c>start_tls</c> cannot take over.</summary>
    private SocketTransport PlainTransportOf(ITransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        if (transport is not SocketTransport plain)
            throw new ArgumentException($"transport {transport} is not supported by StartTlsAsync (it takes a plain socket transport)", nameof(transport));
        if (plain.IsClosing) throw new ArgumentException($"transport {transport} is closing", nameof(transport));
        return plain;
    }

    /// <summary>asyncio's order: pause reading, swap the protocol, then in the next iteration start the handshake and
    /// resume reading, so that no byte reaches the old protocol once the call is made.</summary>
    private async Coroutine<ITransport> StartTls(SocketTransport plain, Protocol protocol, TlsSide side)
    {
        ArgumentNullException.ThrowIfNull(protocol);
        Future<bool> waiter = CreateFuture<bool>();
        var tls = new TlsProtocol(this, protocol, side, waiter, callConnectionMade: false);
        plain.PauseReading();
        plain.SetProtocol(tls);
        Handle made = CallSoon(static state => state.Tls.ConnectionMade(state.Plain), (Tls: tls, Plain: plain));
        Handle resume = CallSoon(static plain => plain.ResumeReading(), plain);
        try
        {
            await waiter;
        }
        catch
        {
            made.Cancel();
            resume.Cancel();
            tls.Abort();
            plain.Abort();   // the TLS layer never saw the connection if the call was cancelled at once
            throw;
        }
        return tls.AppTransport;
    }

    /// <summary>The client side of <see cref="CreateConnection"/> with <c>ssl:</c>: the TLS layer is the socket
    /// transport's protocol, and the application's protocol hears of the connection after the handshake.</summary>
    private async Coroutine<(ITransport Transport, TProtocol Protocol)> StartTlsTransport<TProtocol>(Socket socket, Func<TProtocol> protocolFactory, TlsSide side)
        where TProtocol : Protocol
    {
        TlsProtocol? tls = null;
        try
        {
            (tls, TProtocol protocol) = await StartWhenMade(socket, protocolFactory, (protocol, waiter) =>
            {
                tls = new TlsProtocol(this, protocol, side, waiter, callConnectionMade: true);
                _ = new SocketTransport(this, socket, tls, waiter: null, server: null);
                return tls;
            }, static tls => tls.Abort());
            return (tls.AppTransport, protocol);
        }
        catch (Exception error) when (error is not CancelledError && tls is not null)
        {
            // A failed handshake (StartWhenMade aborted the layer): the socket is closed before the caller hears of
            // it, so nothing leaks meanwhile.
            await tls.PlainLost;
            throw;
        }
    }

    /// <summary>The server side of <see cref="CreateServer"/> with <c>ssl:</c>: each connection's protocol is a TLS
    /// layer over the application's.</summary>
    private Func<Protocol> TlsServerFactory(Func<Protocol> protocolFactory, TlsSide side) =>
        () => new TlsProtocol(this, protocolFactory(), side, waiter: null, callConnectionMade: true);
}
