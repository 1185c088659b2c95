using System.Net;
using System.Net.Sockets;
using Asyncio.Tests.Executors;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Datagrams;

/// <summary>
/// Sends the socket cannot take at once: buffered whole, sent in order when it has room, flushed before a close
/// completes, dropped by an abort. Loopback UDP never pushes back (the receiver drops what it has no room for),
/// so these run the transport over a connected pair of Unix-domain datagram sockets, whose sender does wait for
/// a receiver that does not read.
/// </summary>
public class DatagramBufferTests
{
    /// <summary>A transport over one end of a Unix-domain datagram pair, and the other end, non-blocking and not read yet.</summary>
    private static async Coroutine<(IDatagramTransport Transport, RecordingDatagramProtocol Protocol, Socket Peer)> Pair(EventLoop loop)
    {
        string dir = Directory.CreateTempSubdirectory("aio-udp-").FullName;
        var peerAddress = new UnixDomainSocketEndPoint(Path.Combine(dir, "p"));
        var peer = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        peer.Bind(peerAddress);
        peer.Blocking = false;
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(dir, "s")));
        socket.Connect(peerAddress);
        socket.Blocking = false;
        var protocol = new RecordingDatagramProtocol();
        Future<bool> waiter = loop.CreateFuture<bool>();
        var transport = new DatagramTransport(loop, socket, protocol, peerAddress, waiter);
        await waiter;
        return (transport, protocol, peer);
    }

    /// <summary>Sends 1 KiB datagrams until the socket pushes back and the transport buffers; how many were sent.</summary>
    private static int SendUntilBuffered(IDatagramTransport transport)
    {
        byte[] datagram = new byte[1024];
        int sent = 0;
        while (transport.GetWriteBufferSize() == 0)
        {
            transport.SendTo(datagram);
            if (++sent > 1_000_000) throw new InvalidOperationException("the socket never pushed back");
        }
        return sent;
    }

    /// <summary>Reads the peer until it has nothing; how many datagrams.</summary>
    private static int Drain(Socket peer)
    {
        byte[] buffer = new byte[2048];
        int count = 0;
        while (peer.Receive(buffer, SocketFlags.None, out SocketError error) >= 0 && error == SocketError.Success) count++;
        return count;
    }

    [LinuxFact]
    public void ADatagramTheSocketCannotTake_IsBufferedWhole_CountingItsHeader_AndSentWhenThereIsRoom() =>
        Run(async loop =>
        {
            var (transport, _, peer) = await Pair(loop);
            using (peer)
            {
                int sent = SendUntilBuffered(transport);
                Assert.Equal(1024 + 8, transport.GetWriteBufferSize());
                transport.SendTo(new byte[10]);
                Assert.Equal(1024 + 8 + 10 + 8, transport.GetWriteBufferSize());
                int received = 0;
                await Until(() => (received += Drain(peer)) == sent + 1 && transport.GetWriteBufferSize() == 0);
                transport.Close();
            }
        });

    [LinuxFact]
    public void Close_SendsWhatIsBufferedFirst_ThenCallsConnectionLostOnce() =>
        Run(async loop =>
        {
            var (transport, protocol, peer) = await Pair(loop);
            using (peer)
            {
                int sent = SendUntilBuffered(transport) + 3;
                for (int i = 0; i < 3; i++) transport.SendTo(new byte[1024]);
                transport.Close();
                Assert.True(transport.IsClosing);
                await Aio.Sleep(0.01);
                Assert.Equal(0, protocol.LostCalls);
                int received = 0;
                await Until(() => (received += Drain(peer)) == sent && protocol.LostCalls == 1);
                await Aio.Sleep(0.01);
                Assert.Equal(1, protocol.LostCalls);
                Assert.Null(protocol.LostWith);
                Assert.Equal("lost", protocol.Events[^1]);
            }
        });

    [LinuxFact]
    public void Abort_DropsWhatIsBuffered_AndCallsConnectionLostOnce() =>
        Run(async loop =>
        {
            var (transport, protocol, peer) = await Pair(loop);
            using (peer)
            {
                int sent = SendUntilBuffered(transport);
                transport.Abort();
                Assert.Equal(0, transport.GetWriteBufferSize());
                await Until(() => protocol.LostCalls == 1);
                Assert.Equal(sent - 1, Drain(peer));
                await Aio.Sleep(0.01);
                Assert.Equal(1, protocol.LostCalls);
            }
        });

    [LinuxFact]
    public void TheWaterMarks_PauseAndResumeTheProtocol() =>
        Run(async loop =>
        {
            var (transport, protocol, peer) = await Pair(loop);
            using (peer)
            {
                transport.SetWriteBufferLimits(high: 2000, low: 0);
                SendUntilBuffered(transport);
                Assert.Equal(0, protocol.Pauses);
                transport.SendTo(new byte[1024]);
                Assert.Equal(1, protocol.Pauses);
                await Until(() => { Drain(peer); return protocol.Resumes == 1; });
                Assert.Equal(0, transport.GetWriteBufferSize());
                Assert.Throws<ArgumentOutOfRangeException>(() => transport.SetWriteBufferLimits(high: 1, low: 2));
                transport.Close();
            }
        });
}
