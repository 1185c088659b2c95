using System.Net;
using System.Net.Sockets;
using System.Text;
using Asyncio.Tests.Executors;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Transports;

/// <summary>
/// The protocol's side of a socket transport: what it is told and in which order (asyncio's <c>Protocol</c> state
/// machine: made, data*, eof?, lost), over loopback TCP with <see cref="EventLoop.CreateServer"/> and
/// <see cref="EventLoop.CreateConnection"/>.
/// </summary>
public class ProtocolCallbackTests
{
    [LinuxFact]
    public void Echo_ThroughCreateServerAndCreateConnection_ComesBack() =>
        Run(async loop =>
        {
            await using Server server = await Listen(loop, () => new EchoProtocol());
            var (transport, client) = await ConnectTo(loop, server, () => new RecordingProtocol());
            transport.Write("hello, transport"u8);
            await Until(() => client.Received.Count == 16);
            Assert.Equal("hello, transport", client.Text);
            transport.Close();
            await Until(() => client.IsLost);
        });

    [LinuxFact]
    public void Callbacks_ComeInOrder_MadeDataEofLost() =>
        Run(async loop =>
        {
            var serverSide = new RecordingProtocol();
            await using Server server = await Listen(loop, () => serverSide);
            var (transport, _) = await ConnectTo(loop, server, () => new RecordingProtocol());
            transport.Write("abc"u8);
            transport.Write("def"u8);
            await Until(() => serverSide.Received.Count == 6);
            transport.WriteEof();
            await Until(() => serverSide.IsLost);
            Assert.Equal(["made", "data", "eof", "lost"], serverSide.Events);
            Assert.Null(serverSide.LostWith);
            Assert.Equal("abcdef", serverSide.Text);
            transport.Close();
        });

    [LinuxFact]
    public void ConnectionLost_AfterClose_RunsInALaterIteration() =>
        Run(async loop =>
        {
            await using Server server = await Listen(loop, () => new RecordingProtocol());
            var (transport, client) = await ConnectTo(loop, server, () => new RecordingProtocol());
            transport.Close();
            Assert.True(transport.IsClosing);
            Assert.False(client.IsLost);   // never inside Close()
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            Assert.True(client.IsLost);
            Assert.Null(client.LostWith);
            server.CloseClients();
        });

    [LinuxFact]
    public void ConnectionMade_RunsBeforeCreateConnectionReturns() =>
        Run(async loop =>
        {
            await using Server server = await Listen(loop, () => new RecordingProtocol());
            var (transport, client) = await ConnectTo(loop, server, () => new RecordingProtocol());
            Assert.Equal(["made"], client.Events);
            Assert.Same(transport, client.Transport);
            Assert.True(transport.IsReading);
            transport.Close();
            server.CloseClients();
        });

    [LinuxFact]
    public void WriteEof_HalfCloses_ThePeerSeesEofAndCanStillSendBack() =>
        Run(async loop =>
        {
            var serverSide = new RecordingProtocol { KeepOpenOnEof = true };
            await using Server server = await Listen(loop, () => serverSide);
            var (transport, client) = await ConnectTo(loop, server, () => new RecordingProtocol());
            Assert.True(transport.CanWriteEof);
            transport.Write("question"u8);
            transport.WriteEof();
            Assert.Throws<InvalidOperationException>(() => transport.Write("more"u8));
            await Until(() => serverSide.Events.Contains("eof"));
            Assert.False(serverSide.Transport!.IsClosing);   // EofReceived returned true: half-open
            serverSide.Transport.Write("answer"u8);
            serverSide.Transport.Close();
            await Until(() => client.IsLost && serverSide.IsLost);
            Assert.Equal("question", serverSide.Text);
            Assert.Equal("answer", client.Text);
            Assert.Equal(["made", "data", "eof", "lost"], client.Events);
        });

    [LinuxFact]
    public void APeerReset_SurfacesInConnectionLost_AsASocketException() =>
        Run(async loop =>
        {
            var serverSide = new RecordingProtocol();
            await using Server server = await Listen(loop, () => serverSide);
            var (transport, _) = await ConnectTo(loop, server, () => new RecordingProtocol());
            await Until(() => serverSide.Transport is not null);
            // Linger 0 makes the close send a reset instead of a FIN.
            var socket = (Socket)transport.GetExtraInfo("socket")!;
            socket.LingerState = new LingerOption(true, 0);
            transport.Abort();
            await Until(() => serverSide.IsLost);
            var error = Assert.IsType<SocketException>(serverSide.LostWith);
            Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        });

    [LinuxFact]
    public void ACallbackThatThrows_GoesToTheExceptionHandler_AndClosesTheTransport() =>
        Run(async loop =>
        {
            var reports = new List<ExceptionContext>();
            loop.SetExceptionHandler((_, context) => reports.Add(context));
            var serverSide = new ThrowingProtocol();
            await using Server server = await Listen(loop, () => serverSide);
            var (transport, client) = await ConnectTo(loop, server, () => new RecordingProtocol());
            transport.Write("boom"u8);
            await Until(() => serverSide.IsLost && client.IsLost);
            ExceptionContext report = Assert.Single(reports);
            Assert.IsType<FormatException>(report.Exception);
            Assert.Contains("data_received", report.Message, StringComparison.Ordinal);
            Assert.Same(serverSide.Transport, report.Extra!["transport"]);
            Assert.IsType<FormatException>(serverSide.LostWith);   // asyncio passes the error on to connection_lost
        });

    private sealed class ThrowingProtocol : RecordingProtocol
    {
        public override void DataReceived(ReadOnlySpan<byte> data) => throw new FormatException("bad data");
    }

    [LinuxFact]
    public void GetExtraInfo_GivesPeerAndSocketNames_MirroredOnBothSides() =>
        Run(async loop =>
        {
            var serverSide = new RecordingProtocol();
            await using Server server = await Listen(loop, () => serverSide);
            var (transport, _) = await ConnectTo(loop, server, () => new RecordingProtocol());
            await Until(() => serverSide.Transport is not null);
            var peer = (IPEndPoint)transport.GetExtraInfo("peername")!;
            var local = (IPEndPoint)transport.GetExtraInfo("sockname")!;
            Assert.Equal(PortOf(server), peer.Port);
            Assert.Equal(IPAddress.Loopback, peer.Address);
            Assert.Equal(local, serverSide.Transport!.GetExtraInfo("peername"));
            Assert.Equal(peer, serverSide.Transport.GetExtraInfo("sockname"));
            Assert.IsType<Socket>(transport.GetExtraInfo("socket"));
            Assert.Equal("none", transport.GetExtraInfo("sslcontext", "none"));
            transport.Close();
            await Until(() => serverSide.IsLost);
        });

    [LinuxFact]
    public void AConnectionMadeThatThrows_IsReported_AndTheTransportClosed() =>
        Run(async loop =>
        {
            var reports = new List<ExceptionContext>();
            loop.SetExceptionHandler((_, context) => reports.Add(context));
            await using Server server = await Listen(loop, () => new RecordingProtocol());
            var (transport, client) = await ConnectTo(loop, server, () => new ThrowOnConnectProtocol());
            Assert.True(transport.IsClosing);
            await Until(() => client.IsLost);
            Assert.IsType<FormatException>(Assert.Single(reports).Exception);
            server.CloseClients();
        });

    private sealed class ThrowOnConnectProtocol : RecordingProtocol
    {
        public override void ConnectionMade(ITransport transport) => throw new FormatException("cannot start");
    }
}
