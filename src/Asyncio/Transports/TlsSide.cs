using System.Net.Security;

namespace Asyncio;

/// <summary>
/// Which end of the handshake a TLS connection plays, with its options: a client (with the host name it checks the
/// certificate against) or a server (with its certificate). asyncio tells them apart with <c>server_side</c>; here
/// the options' type does.
/// </summary>
internal sealed class TlsSide
{
    private TlsSide(SslClientAuthenticationOptions? client, SslServerAuthenticationOptions? server, double handshakeTimeout)
    {
        Client = client;
        Server = server;
        HandshakeTimeout = handshakeTimeout;
    }

    /// <summary>asyncio's <c>SSL_HANDSHAKE_TIMEOUT</c>: 60 seconds.</summary>
    public const double DefaultHandshakeTimeout = 60.0;

    /// <summary>asyncio's <c>SSL_SHUTDOWN_TIMEOUT</c>: how long a closing connection waits for the peer's close_notify.</summary>
    public const double ShutdownTimeout = 30.0;

    /// <summary>The client's options; null on the server side.</summary>
    public SslClientAuthenticationOptions? Client { get; }

    /// <summary>The server's options; null on the client side.</summary>
    public SslServerAuthenticationOptions? Server { get; }

    /// <summary>Seconds the handshake may take before the connection is aborted.</summary>
    public double HandshakeTimeout { get; }

    /// <summary>The options given back by <c>GetExtraInfo("sslcontext")</c>.</summary>
    public object Options => (object?)Client ?? Server!;

    /// <summary>
    /// The client side. When <paramref name="options"/> names no <see cref="SslClientAuthenticationOptions.TargetHost"/>,
    /// a copy names <paramref name="host"/> (asyncio's <c>server_hostname</c> defaults to the host connected to), so
    /// the certificate is always checked against a name; the caller's object is left as it is.
    /// </summary>
    public static TlsSide ForClient(SslClientAuthenticationOptions options, string? host, double? handshakeTimeout)
    {
        if (string.IsNullOrEmpty(options.TargetHost))
        {
            if (string.IsNullOrEmpty(host))
            {
                // asyncio: "check_hostname requires server_hostname". An empty name would skip the check silently.
                throw new ArgumentException("the client options need a TargetHost to check the server's certificate against", nameof(options));
            }
            options = WithTargetHost(options, host);
        }
        return new TlsSide(options, null, CheckTimeout(handshakeTimeout));
    }

    /// <summary>The server side.</summary>
    public static TlsSide ForServer(SslServerAuthenticationOptions options, double? handshakeTimeout) =>
        new(null, options, CheckTimeout(handshakeTimeout));

    /// <summary>asyncio: <c>ssl_handshake_timeout</c> must be positive (<c>ValueError</c>).</summary>
    public static double CheckTimeout(double? sslHandshakeTimeout)
    {
        if (sslHandshakeTimeout is not { } seconds) return DefaultHandshakeTimeout;
        if (!(seconds > 0)) throw new ArgumentOutOfRangeException(nameof(sslHandshakeTimeout), seconds, "the TLS handshake timeout must be a positive number of seconds");
        return seconds;
    }

    /// <summary>Throws when a handshake timeout is given without TLS (asyncio: "ssl_handshake_timeout is only meaningful with ssl").</summary>
    public static void CheckTimeoutNeedsTls(object? ssl, double? sslHandshakeTimeout)
    {
        if (ssl is null && sslHandshakeTimeout is not null)
            throw new ArgumentException("sslHandshakeTimeout is only meaningful with ssl", nameof(sslHandshakeTimeout));
    }

    private static SslClientAuthenticationOptions WithTargetHost(SslClientAuthenticationOptions options, string host) => new()
    {
        TargetHost = host,
        AllowRenegotiation = options.AllowRenegotiation,
        AllowTlsResume = options.AllowTlsResume,
        ApplicationProtocols = options.ApplicationProtocols,
        CertificateChainPolicy = options.CertificateChainPolicy,
        CertificateRevocationCheckMode = options.CertificateRevocationCheckMode,
        CipherSuitesPolicy = options.CipherSuitesPolicy,
        ClientCertificateContext = options.ClientCertificateContext,
        ClientCertificates = options.ClientCertificates,
        EnabledSslProtocols = options.EnabledSslProtocols,
        LocalCertificateSelectionCallback = options.LocalCertificateSelectionCallback,
        RemoteCertificateValidationCallback = options.RemoteCertificateValidationCallback,
    };
}
