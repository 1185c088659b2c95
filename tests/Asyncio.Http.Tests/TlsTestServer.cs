using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Asyncio.Http.Tests;

/// <summary>
/// Kestrel over TLS on 127.0.0.1 (a free port) with a self-signed certificate no client trusts, offering HTTP/2 and
/// HTTP/1.1 through ALPN. <c>/proto</c> answers with the protocol the request came in on and its connection's id.
/// </summary>
public sealed class TlsTestServer : IDisposable
{
    private readonly WebApplication _app;

    public TlsTestServer()
    {
        Certificate = SelfSignedCertificate();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(Certificate);
        }));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Map("/proto", (HttpContext context) => $"{context.Request.Protocol} {context.Connection.Id}");
        Task.Run(() => _app.StartAsync()).GetAwaiter().GetResult();
        Url = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/";
    }

    /// <summary>The server's base URL (<c>https://127.0.0.1:PORT/</c>).</summary>
    public string Url { get; }

    /// <summary>The server's certificate.</summary>
    public X509Certificate2 Certificate { get; }

    public void Dispose()
    {
        Task.Run(() => _app.StopAsync()).GetAwaiter().GetResult();
        ((IDisposable)_app).Dispose();
        Certificate.Dispose();
    }

    /// <summary>A certificate for 127.0.0.1, valid today, signed by itself.</summary>
    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12, so that the TLS stack can use the key.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
    }
}
