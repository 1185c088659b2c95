using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Transports;
using static Asyncio.Tests.Tls.TlsFixtures;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Tls;

/// <summary>
/// Upgrading an open connection to TLS, as SMTP's STARTTLS does (asyncio's <c>StreamWriter.start_tls</c> and
/// <c>loop.start_tls</c>, <c>test_ssl</c>'s <c>test_start_tls_*</c>).
/// </summary>
public class TlsUpgradeTests
{
    /// <summary>A plain server that answers STARTTLS, upgrades, and then echoes lines over TLS.</summary>
    private static async Coroutine StartTlsServer(AsyncStreamReader reader, AsyncStreamWriter writer)
    {
        Assert.Equal("STARTTLS\n", S(await reader.ReadLineAsync()));
        writer.Write(B("220 go ahead\n"));
        await writer.DrainAsync();
        await writer.StartTlsAsync(ServerOptions());
        await Streams.StreamConnectionTests.EchoLines(reader, writer);
    }

    [LinuxFact]
    public void StartTlsAsync_OnBothWriters_UpgradesAPlainConnection_LikeSmtpStartTls() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(StartTlsServer, "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            Assert.Null(writer.GetExtraInfo("ssl_object"));
            ITransport plain = writer.Transport;
            writer.Write(B("STARTTLS\n"));
            Assert.Equal("220 go ahead\n", S(await reader.ReadLineAsync()));
            await writer.StartTlsAsync(TrustingClient());
            Assert.NotSame(plain, writer.Transport);
            Assert.IsType<SslStream>(writer.GetExtraInfo("ssl_object"));
            writer.Write(B("secret\n"));
            Assert.Equal("secret\n", S(await reader.ReadLineAsync()));
            writer.Close();
            await writer.WaitClosedAsync();
        });

    [LinuxFact]
    public void StartTlsAsync_WithAWrongHostName_FailsWithAuthenticationException_AndClosesTheConnection() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(StartTlsServer, "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            writer.Write(B("STARTTLS\n"));
            await reader.ReadLineAsync();
            await Assert.ThrowsAsync<AuthenticationException>(async () => await writer.StartTlsAsync(TrustingClient("example.org")));
            await Until(() => writer.IsClosing);
            await Assert.ThrowsAsync<AuthenticationException>(async () => await writer.WaitClosedAsync());
        });

    [LinuxFact]
    public void LoopStartTlsAsync_GivesATlsTransport_TheProtocolKeepsReceiving_WithoutASecondConnectionMade() =>
        Run(async loop =>
        {
            await using Server server = await loop.CreateServer(() => new EchoProtocol(), "127.0.0.1", 0, ssl: ServerOptions());
            var (plain, client) = await loop.CreateConnection(() => new RecordingProtocol(), "127.0.0.1", PortOf(server));
            ITransport tls = await loop.StartTlsAsync(plain, client, TrustingClient());
            Assert.NotSame(plain, tls);
            Assert.IsType<SslStream>(tls.GetExtraInfo("ssl_object"));
            tls.Write(B("over tls"));
            await Until(() => client.Received.Count == 8);
            Assert.Equal("over tls", client.Text);
            tls.Close();
            await Until(() => client.IsLost);
            Assert.Equal(["made", "data", "lost"], client.Events);
        });

    [LinuxFact]
    public void StartTlsAsync_RejectsATlsTransport_AndClientOptionsWithoutATargetHost() =>
        Run(async loop =>
        {
            await using Server server = await loop.CreateServer(() => new EchoProtocol(), "127.0.0.1", 0, ssl: ServerOptions());
            var (tls, client) = await loop.CreateConnection(() => new RecordingProtocol(), "127.0.0.1", PortOf(server), ssl: TrustingClient());
            Assert.Throws<ArgumentException>(() => loop.StartTlsAsync(tls, client, TrustingClient()));
            var noHost = new SslClientAuthenticationOptions();
            Assert.Throws<ArgumentException>(() => loop.StartTlsAsync(tls, client, noHost));
            tls.Close();
            await Until(() => client.IsLost);
        });

    [LinuxFact]
    public void SslHandshakeTimeout_IsCheckedAtTheCall() =>
        Run(async loop =>
        {
            await Task.CompletedTask;
            Assert.Throws<ArgumentException>(() => Aio.OpenConnection("127.0.0.1", 1, sslHandshakeTimeout: 5));
            Assert.Throws<ArgumentOutOfRangeException>(() => Aio.OpenConnection("127.0.0.1", 1, ssl: TrustingClient(), sslHandshakeTimeout: 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => loop.CreateConnection(() => new RecordingProtocol(), "127.0.0.1", 1, ssl: TrustingClient(), sslHandshakeTimeout: double.NaN));
            Assert.Throws<ArgumentException>(() => loop.CreateServer(() => new EchoProtocol(), "127.0.0.1", 0, sslHandshakeTimeout: 5));
            Assert.Throws<ArgumentException>(() => Aio.StartServer(Streams.StreamConnectionTests.EchoLines, "127.0.0.1", 0, sslHandshakeTimeout: 5));
        });
}
