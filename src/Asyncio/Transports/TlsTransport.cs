using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// The application's transport of a TLS connection: what it writes is encrypted, what it reads was decrypted, by the
/// <see cref="TlsProtocol"/> under it, which owns the plain transport (asyncio: <c>sslproto._SSLProtocolTransport</c>).
/// </summary>
/// <remarks>
/// As asyncio's SSL transport: no half-close (<see cref="CanWriteEof"/> is false), <see cref="Close"/> writes what is
/// buffered and sends close_notify before closing the socket, the water marks apply to the plaintext not yet
/// encrypted, and <see cref="GetExtraInfo"/> adds <c>"ssl_object"</c>, <c>"peercert"</c>, <c>"cipher"</c> and
/// <c>"sslcontext"</c> to the plain transport's keys.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
internal sealed class TlsTransport : ITransport
{
    /// <summary>The TLS layer that does the work.</summary>
    private readonly TlsProtocol _tls;

    public TlsTransport(TlsProtocol tls) => _tls = tls;

    /// <summary>The plain transport, for the keys of <see cref="GetExtraInfo"/> that are not TLS's; set when the
    /// plain connection is made.</summary>
    internal ITransport? Plain { get; set; }

    /// <inheritdoc/>
    public void Write(ReadOnlySpan<byte> data) => _tls.AppWrite(data);

    /// <summary>TLS connections do not half-close (asyncio raises <c>NotImplementedError</c>).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public void WriteEof() => throw new NotSupportedException("TLS transports do not support half-closes (WriteEof)");

    /// <summary>False: asyncio's SSL transport cannot half-close.</summary>
    public bool CanWriteEof => false;

    /// <inheritdoc/>
    public void Close() => _tls.StartShutdown();

    /// <inheritdoc/>
    public void Abort() => _tls.Abort();

    /// <inheritdoc/>
    public bool IsClosing => _tls.AppClosing;

    /// <inheritdoc/>
    public void PauseReading() => _tls.PauseAppReading();

    /// <inheritdoc/>
    public void ResumeReading() => _tls.ResumeAppReading();

    /// <inheritdoc/>
    public bool IsReading => _tls.AppReading;

    /// <inheritdoc/>
    public void SetWriteBufferLimits(int? high = null, int? low = null) => _tls.SetAppWriteBufferLimits(high, low);

    /// <inheritdoc/>
    public int GetWriteBufferSize() => _tls.AppWriteBufferSize;

    /// <summary>
    /// The plain transport's keys, and: <c>"ssl_object"</c>, the <see cref="System.Net.Security.SslStream"/>;
    /// <c>"peercert"</c>, the peer's certificate (null when it sent none); <c>"cipher"</c>, the negotiated
    /// <see cref="System.Net.Security.TlsCipherSuite"/>; <c>"sslcontext"</c>, the authentication options.
    /// <para>asyncio: <c>get_extra_info("ssl_object")</c>, <c>("peercert")</c>, <c>("cipher")</c>, <c>("sslcontext")</c>.</para>
    /// </summary>
    public object? GetExtraInfo(string name, object? defaultValue = null) => name switch
    {
        "ssl_object" => _tls.SslStream,
        "peercert" => _tls.PeerCertificate,
        "cipher" => _tls.CipherSuite,
        "sslcontext" => _tls.Options,
        _ => Plain is null ? defaultValue : Plain.GetExtraInfo(name, defaultValue),
    };

    /// <inheritdoc/>
    public override string ToString() => $"<TlsTransport {_tls}>";
}
