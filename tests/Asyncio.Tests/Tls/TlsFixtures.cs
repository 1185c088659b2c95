using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Asyncio.Tests.Tls;

/// <summary>
/// A self-signed certificate for <c>localhost</c> and <c>127.0.0.1</c>, made once per test run, and the options that
/// use it: the server's, and a client's that trusts exactly this certificate (and nothing else the default check
/// would reject). Default verification rejects it, which <see cref="TlsConnectionTests"/> checks too.
/// </summary>
internal static class TlsFixtures
{
    private static readonly Lazy<X509Certificate2> s_certificate = new(() => MakeCertificate("localhost"));

    private static readonly Lazy<X509Certificate2> s_otherCertificate = new(() => MakeCertificate("localhost"));

    /// <summary>ASCII bytes of <paramref name="text"/>.</summary>
    public static byte[] B(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>The ASCII text of <paramref name="bytes"/>.</summary>
    public static string S(byte[] bytes) => Encoding.ASCII.GetString(bytes);

    /// <summary>The server's certificate, with its private key.</summary>
    public static X509Certificate2 Certificate => s_certificate.Value;

    /// <summary>Another self-signed certificate for the same names, which the trusting client must still reject.</summary>
    public static X509Certificate2 OtherCertificate => s_otherCertificate.Value;

    /// <summary>Server options presenting <paramref name="certificate"/> (the test certificate by default).</summary>
    public static SslServerAuthenticationOptions ServerOptions(X509Certificate2? certificate = null) =>
        new() { ServerCertificate = certificate ?? Certificate };

    /// <summary>
    /// Client options that accept the test certificate although it is self-signed: the only error forgiven is an
    /// untrusted root, and only for this very certificate; a wrong name or another certificate still fails.
    /// </summary>
    public static SslClientAuthenticationOptions TrustingClient(string targetHost = "localhost") => new()
    {
        TargetHost = targetHost,
        RemoteCertificateValidationCallback = TrustTestCertificate,
    };

    /// <summary>Client options with .NET's default verification only.</summary>
    public static SslClientAuthenticationOptions DefaultClient(string targetHost = "localhost") => new() { TargetHost = targetHost };

    private static bool TrustTestCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None) return true;
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || certificate is null) return false;
        return certificate.GetCertHashString(HashAlgorithmName.SHA256) == Certificate.GetCertHashString(HashAlgorithmName.SHA256);
    }

    private static X509Certificate2 MakeCertificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }
}
