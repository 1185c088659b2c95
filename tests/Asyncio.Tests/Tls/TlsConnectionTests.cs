using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Transports;
using static Asyncio.Tests.Tls.TlsFixtures;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Tls;

/// <summary>
/// TLS connections on loopback, with streams and with protocols (asyncio's <c>open_connection(ssl=...)</c>,
/// <c>create_connection(ssl=...)</c>, <c>start_server(ssl=...)</c>): echo, what the transport tells, verification
/// that is on by default, and closing with close_notify.
/// </summary>
public class TlsConnectionTests
{
    [LinuxFact]
    public void OpenConnection_WithTls_EchoesLines() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(Streams.StreamConnectionTests.EchoLines, "127.0.0.1", 0, ssl: ServerOptions());
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server), ssl: TrustingClient());
            writer.Write(B("hello\n"));
            writer.WriteLines([B("wor"), B("ld\n")]);
            await writer.DrainAsync();
            Assert.Equal("hello\n", S(await reader.ReadLineAsync()));
            Assert.Equal("world\n", S(await reader.ReadLineAsync()));
            writer.Close();
            await writer.WaitClosedAsync();
        });

    [LinuxFact]
    public void GetExtraInfo_GivesTheSslStream_ThePeerCertificate_AndThePlainKeys() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(Streams.StreamConnectionTests.EchoLines, "127.0.0.1", 0, ssl: ServerOptions());
            var (_, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server), ssl: TrustingClient());
            var ssl = Assert.IsType<SslStream>(writer.GetExtraInfo("ssl_object"));
            Assert.True(ssl.IsAuthenticated);
            var peer = Assert.IsAssignableFrom<X509Certificate>(writer.GetExtraInfo("peercert"));
            Assert.Equal(Certificate.GetCertHashString(), peer.GetCertHashString());
            Assert.IsType<TlsCipherSuite>(writer.GetExtraInfo("cipher"));
            Assert.IsType<SslClientAuthenticationOptions>(writer.GetExtraInfo("sslcontext"));
            Assert.IsType<IPEndPoint>(writer.GetExtraInfo("peername"));
            Assert.Equal("none", writer.GetExtraInfo("no such key", "none"));
            writer.Close();
            await writer.WaitClosedAsync();
        });

    [LinuxFact]
    public void CreateConnection_WithTls_ProtocolHearsMadeDataLost_InOrder() =>
        Run(async loop =>
        {
            await using Server server = await loop.CreateServer(() => new EchoProtocol(), "127.0.0.1", 0, ssl: ServerOptions());
            var (transport, client) = await loop.CreateConnection(() => new RecordingProtocol(), "127.0.0.1", PortOf(server), ssl: TrustingClient());
            Assert.Equal(["made"], client.Events);
            Assert.Same(transport, client.Transport);
            transport.Write(B("ping"));
            await Until(() => client.Received.Count == 4);
            Assert.Equal("ping", client.Text);
            transport.Close();
            Assert.True(transport.IsClosing);
            Assert.False(transport.IsReading);
            await Until(() => client.IsLost);
            Assert.Equal(["made", "data", "lost"], client.Events);
            Assert.Null(client.LostWith);
        });

    [LinuxFact]
    public void DefaultVerification_RejectsTheSelfSignedCertificate_WithAuthenticationException() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(Streams.StreamConnectionTests.EchoLines, "127.0.0.1", 0, ssl: ServerOptions());
            await Assert.ThrowsAsync<AuthenticationException>(async () =>
                await Aio.OpenConnection("127.0.0.1", PortOf(server), ssl: DefaultClient()));
        });

    [LinuxFact]
    public void TargetHost_DefaultsToTheHostConnectedTo_SoTheNameIsChecked() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(Streams.StreamConnectionTests.EchoLines, "127.0.0.1", 0, ssl: ServerOptions());
            SslClientAuthenticationOptions options = TrustingClient();
            options.TargetHost = null;
            // The certificate names 127.0.0.1 too: connecting to that address verifies with the copy's TargetHost.
            var (_, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server), ssl: options);
            Assert.Null(options.TargetHost);   // the caller's options are left as they were
            writer.Close();
            await writer.WaitClosedAsync();
        });

    [LinuxFact]
    public void WrongHostName_IsRejected_EvenByAClientThatTrustsTheCertificate() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(Streams.StreamConnectionTests.EchoLines, "127.0.0.1", 0, ssl: ServerOptions());
            await Assert.ThrowsAsync<AuthenticationException>(async () =>
                await Aio.OpenConnection("127.0.0.1", PortOf(server), ssl: TrustingClient("example.org")));
        });

    [LinuxFact]
    public void AnotherSelfSignedCertificate_IsRejected_ByTheClientThatTrustsOnlyTheTestOne() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(Streams.StreamConnectionTests.EchoLines, "127.0.0.1", 0, ssl: ServerOptions(OtherCertificate));
            await Assert.ThrowsAsync<AuthenticationException>(async () =>
                await loop.CreateConnection(() => new RecordingProtocol(), "127.0.0.1", PortOf(server), ssl: TrustingClient()));
        });

    [LinuxFact]
    public void Close_SendsCloseNotify_ThePeerReadsEof_AndBothCloseWithoutError() =>
        Run(async loop =>
        {
            Future<bool> serverDone = loop.CreateFuture<bool>();
            await using Server server = await Aio.StartServer(async (reader, writer) =>
            {
                byte[] all = await reader.ReadAsync();   // until the client's close_notify
                Assert.Equal("bye", S(all));
                writer.Close();
                await writer.WaitClosedAsync();
                serverDone.SetResult(true);
            }, "127.0.0.1", 0, ssl: ServerOptions());
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server), ssl: TrustingClient());
            writer.Write(B("bye"));
            writer.Close();
            await writer.WaitClosedAsync();
            await serverDone;
            Assert.Empty(await reader.ReadAsync());
        });

    [LinuxFact]
    public void ServerCloses_TheClientReadsEof_ThenItsConnectionCloses() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(async (reader, writer) =>
            {
                writer.Write(B("last words"));
                writer.Close();
                await writer.WaitClosedAsync();
            }, "127.0.0.1", 0, ssl: ServerOptions());
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server), ssl: TrustingClient());
            Assert.Equal("last words", S(await reader.ReadAsync()));
            await writer.WaitClosedAsync();   // asyncio: TLS has no half-open state, EOF closes the transport
            Assert.True(writer.IsClosing);
        });

    [LinuxFact]
    public void WriteEof_IsNotSupported_OverTls() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(Streams.StreamConnectionTests.EchoLines, "127.0.0.1", 0, ssl: ServerOptions());
            var (_, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server), ssl: TrustingClient());
            Assert.False(writer.CanWriteEof);
            Assert.Throws<NotSupportedException>(writer.WriteEof);
            writer.Close();
            await writer.WaitClosedAsync();
        });

    [LinuxFact]
    public void Abort_DropsTheBacklog_AndTheProtocolHearsLostWithoutError() =>
        Run(async loop =>
        {
            await using Server server = await loop.CreateServer(() => new RecordingProtocol(), "127.0.0.1", 0, ssl: ServerOptions());
            var (transport, client) = await loop.CreateConnection(() => new RecordingProtocol(), "127.0.0.1", PortOf(server), ssl: TrustingClient());
            transport.Abort();
            Assert.True(transport.IsClosing);
            Assert.False(client.IsLost);   // never inside the call
            await Until(() => client.IsLost);
            Assert.Null(client.LostWith);
            transport.Write(B("dropped"));   // after the loss: ignored, as asyncio
        });

    [LinuxFact]
    public void WriteAfterClose_IsDropped() =>
        Run(async loop =>
        {
            var received = new RecordingProtocol();
            await using Server server = await loop.CreateServer(() => received, "127.0.0.1", 0, ssl: ServerOptions());
            var (transport, client) = await loop.CreateConnection(() => new RecordingProtocol(), "127.0.0.1", PortOf(server), ssl: TrustingClient());
            transport.Write(B("kept"));
            transport.Close();
            transport.Write(B("dropped"));
            await Until(() => received.IsLost);
            Assert.Equal("kept", received.Text);
            Assert.Equal(["made", "data", "eof", "lost"], received.Events);
        });
}
