using System.Net;
using System.Net.Sockets;
using Asyncio.Tests.Executors;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Transports;

/// <summary>
/// Connections a server accepts: on Linux they are accepted and made non-blocking on their descriptor, and the
/// transport sends and receives on it directly, so .NET never builds its asynchronous state for them (an idle
/// connection costs that much less). What a peer and the protocol see must not change for it.
/// </summary>
public class AcceptedSocketTests
{
    [LinuxFact]
    public void AnAcceptedConnection_IsNonBlockingAtItsDescriptor() =>
        Run(async loop =>
        {
            var serverSide = new RecordingProtocol();
            await using Server server = await Listen(loop, () => serverSide);
            var (transport, _) = await ConnectTo(loop, server, () => new RecordingProtocol());
            await Until(() => serverSide.Transport is not null);
            var socket = (Socket)serverSide.Transport!.GetExtraInfo("socket")!;
            int flags = LinuxNative.fcntl(socket.SafeHandle, LinuxNative.F_GETFL, 0);
            Assert.NotEqual(0, flags & LinuxNative.O_NONBLOCK);
            transport.Close();
            await Until(() => serverSide.IsLost);
        });

    [LinuxFact]
    public void AServerThatCloses_GivesThePeerAnEndOfStream_NotAReset() =>
        Run(async loop =>
        {
            await using Server server = await Listen(loop, () => new CloseAfterFirstData());
            using Socket peer = await RawPeer(loop, server);
            await loop.SockSendallAsync(peer, "bye"u8.ToArray());
            // The echo, then the end of the stream; a reset would throw here instead.
            Assert.Equal("bye", await ReadToEnd(loop, peer));
        });

    [LinuxFact]
    public void AServersWriteEof_HalfCloses_ThePeerReadsEndOfStreamAndCanStillSend() =>
        Run(async loop =>
        {
            var serverSide = new RecordingProtocol { KeepOpenOnEof = true };
            await using Server server = await Listen(loop, () => serverSide);
            using Socket peer = await RawPeer(loop, server);
            await Until(() => serverSide.Transport is not null);
            serverSide.Transport!.Write("half"u8);
            serverSide.Transport.WriteEof();   // shutdown(SHUT_WR) on the accepted socket
            Assert.Equal("half", await ReadToEnd(loop, peer));
            await loop.SockSendallAsync(peer, "back"u8.ToArray());
            await Until(() => serverSide.Text == "back");
            peer.Shutdown(SocketShutdown.Send);
            await Until(() => serverSide.Events.Contains("eof"));
            serverSide.Transport.Close();
            await Until(() => serverSide.IsLost);
        });

    [LinuxFact]
    public void AServerWritingToAPeerThatReset_LosesTheConnection_AndTheProcessLives() =>
        Run(async loop =>
        {
            var serverSide = new RecordingProtocol();
            await using Server server = await Listen(loop, () => serverSide);
            Socket peer = await RawPeer(loop, server);
            await Until(() => serverSide.Transport is not null);
            peer.LingerState = new LingerOption(true, 0);
            peer.Dispose();   // a reset: the next send fails with ECONNRESET or EPIPE, never SIGPIPE
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < 200 && !serverSide.IsLost; i++)
            {
                serverSide.Transport!.Write(chunk);
                await Aio.Sleep(0.001);
            }
            await Until(() => serverSide.IsLost);
            var error = Assert.IsType<SocketException>(serverSide.LostWith);
            Assert.Contains(error.SocketErrorCode, new[] { SocketError.ConnectionReset, SocketError.Shutdown });
        });

    [LinuxFact]
    public void ManyConnections_AreEachAcceptedOnce_AndEchoed() =>
        Run(async loop =>
        {
            await using Server server = await Listen(loop, () => new EchoProtocol());
            var clients = new List<(ITransport Transport, RecordingProtocol Protocol)>();
            for (int i = 0; i < 50; i++) clients.Add(await ConnectTo(loop, server, () => new RecordingProtocol()));
            for (int i = 0; i < clients.Count; i++) clients[i].Transport.Write(BitConverter.GetBytes(i));
            await Until(() => clients.All(c => c.Protocol.Received.Count == 4));
            for (int i = 0; i < clients.Count; i++) Assert.Equal(i, BitConverter.ToInt32([.. clients[i].Protocol.Received]));
            foreach (var (transport, _) in clients) transport.Close();
            await Until(() => clients.All(c => c.Protocol.IsLost));
        });

    [Theory]
    [InlineData(11, SocketError.WouldBlock)]         // EAGAIN
    [InlineData(4, SocketError.Interrupted)]         // EINTR
    [InlineData(104, SocketError.ConnectionReset)]   // ECONNRESET
    [InlineData(32, SocketError.Shutdown)]           // EPIPE
    [InlineData(103, SocketError.ConnectionAborted)] // ECONNABORTED
    [InlineData(24, SocketError.TooManyOpenSockets)] // EMFILE
    [InlineData(107, SocketError.NotConnected)]      // ENOTCONN
    [InlineData(9999, SocketError.SocketError)]      // unknown
    public void ErrorOf_MapsAnErrnoAsDotnetDoes(int errno, SocketError expected) =>
        Assert.Equal(expected, SocketIo.ErrorOf(errno));

    [LinuxFact]
    public void Accept_WithNoConnectionWaiting_GivesNull()
    {
        using Socket listener = Sockets.SocketPairs.Listener("tcp4");
        listener.Blocking = false;
        Assert.Null(SocketIo.Accept(listener));
    }

    /// <summary>A plain non-blocking socket connected to <paramref name="server"/>, driven by the test.</summary>
    private static async Coroutine<Socket> RawPeer(EventLoop loop, Server server)
    {
        var peer = new Socket(SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
        await loop.SockConnectAsync(peer, new IPEndPoint(IPAddress.Loopback, PortOf(server)));
        return peer;
    }

    /// <summary>What <paramref name="peer"/> reads until the end of the stream, as ASCII; a reset throws.</summary>
    private static async Coroutine<string> ReadToEnd(EventLoop loop, Socket peer)
    {
        byte[] buffer = new byte[16];
        int total = 0;
        while (await loop.SockRecvIntoAsync(peer, buffer.AsMemory(total)) is > 0 and var n) total += n;
        return System.Text.Encoding.ASCII.GetString(buffer, 0, total);
    }

    /// <summary>Echoes the first data, then closes (a FIN after the echo).</summary>
    private sealed class CloseAfterFirstData : Protocol
    {
        private ITransport? _transport;

        public override void ConnectionMade(ITransport transport) => _transport = transport;

        public override void DataReceived(ReadOnlySpan<byte> data)
        {
            _transport!.Write(data);
            _transport.Close();
        }
    }
}
