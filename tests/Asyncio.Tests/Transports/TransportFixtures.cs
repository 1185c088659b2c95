using System.Net;
using System.Net.Sockets;
using System.Text;
using Asyncio.Tests.Selectors;

namespace Asyncio.Tests.Transports;

/// <summary>A protocol that records what happens to it, for the tests to assert on.</summary>
internal class RecordingProtocol : Protocol
{
    /// <summary>The callbacks in the order they came, as names ("made", "data", "eof", "lost").</summary>
    public List<string> Events { get; } = [];

    /// <summary>Every byte received, in order.</summary>
    public List<byte> Received { get; } = [];

    /// <summary>The transport given to <see cref="ConnectionMade"/>.</summary>
    public ITransport? Transport { get; private set; }

    /// <summary>What <see cref="ConnectionLost"/> was called with.</summary>
    public Exception? LostWith { get; private set; }

    /// <summary>What <see cref="EofReceived"/> returns.</summary>
    public bool KeepOpenOnEof { get; init; }

    /// <summary>Whether <see cref="ConnectionLost"/> ran.</summary>
    public bool IsLost => Events.Contains("lost");

    public string Text => Encoding.UTF8.GetString([.. Received]);

    public override void ConnectionMade(ITransport transport)
    {
        Transport = transport;
        Events.Add("made");
    }

    public override void DataReceived(ReadOnlySpan<byte> data)
    {
        if (Events.Count == 0 || Events[^1] != "data") Events.Add("data");
        Received.AddRange(data.ToArray());
    }

    public override bool EofReceived()
    {
        Events.Add("eof");
        return KeepOpenOnEof;
    }

    public override void ConnectionLost(Exception? exception)
    {
        LostWith = exception;
        Events.Add("lost");
    }

    public override void PauseWriting() => Events.Add("pause");

    public override void ResumeWriting() => Events.Add("resume");
}

/// <summary>A protocol that writes back what it receives, and closes when the peer sends EOF.</summary>
internal sealed class EchoProtocol : Protocol
{
    private ITransport? _transport;

    public override void ConnectionMade(ITransport transport) => _transport = transport;

    public override void DataReceived(ReadOnlySpan<byte> data) => _transport!.Write(data);
}

/// <summary>Running transport tests: an epoll loop on real time, a server on a free loopback port, and waiting for a condition.</summary>
internal static class TransportFixtures
{
    /// <summary>Runs <paramref name="body"/> on a new epoll loop, closed afterwards.</summary>
    public static void Run(Func<EventLoop, Coroutine> body, double limitSeconds = 20)
    {
        EventLoop loop = SelectorLoops.NewEpoll();
        SelectorLoops.Run(loop, () => body(loop), limitSeconds);
    }

    /// <summary>A server on 127.0.0.1 with a free port.</summary>
    public static Coroutine<Server> Listen(EventLoop loop, Func<Protocol> factory) => loop.CreateServer(factory, "127.0.0.1", 0);

    /// <summary>The port a server listens on.</summary>
    public static int PortOf(Server server) => ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;

    /// <summary>Connects a new protocol to <paramref name="server"/>.</summary>
    public static Coroutine<(ITransport Transport, T Protocol)> ConnectTo<T>(EventLoop loop, Server server, Func<T> factory) where T : Protocol =>
        loop.CreateConnection(factory, "127.0.0.1", PortOf(server));

    /// <summary>
    /// Runs <paramref name="body"/> on a new epoll loop with a transport connected to a raw peer socket that the
    /// test drives by hand (reads, or does not read).
    /// </summary>
    public static void RunWithRawPeer<T>(Func<T> factory, Func<EventLoop, ITransport, T, Socket, Coroutine> body) where T : Protocol =>
        Run(async loop =>
        {
            using Socket listener = Sockets.SocketPairs.Listener("tcp4");
            int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            AioTask<(Socket Socket, EndPoint? Address)> accept = Aio.CreateTask(loop.SockAcceptAsync(listener));
            var (transport, protocol) = await loop.CreateConnection(factory, "127.0.0.1", port);
            var (peer, _) = await accept;
            using (peer) await body(loop, transport, protocol, peer);
        });

    /// <summary>Reads <paramref name="peer"/> until EOF or a reset; the byte count.</summary>
    public static async Coroutine<long> DrainToEnd(EventLoop loop, Socket peer)
    {
        long total = 0;
        byte[] buffer = new byte[1 << 16];
        try
        {
            while (await loop.SockRecvIntoAsync(peer, buffer) is > 0 and var n) total += n;
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
        return total;
    }

    /// <summary>Lets the loop run until <paramref name="condition"/> holds; fails after <paramref name="seconds"/> of real time.</summary>
    public static async Coroutine Until(Func<bool> condition, double seconds = 10)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition did not hold in time");
            await Aio.Sleep(0.001);
        }
    }
}
