using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Selectors;
using Asyncio.Tests.Transports;
using static Asyncio.Tests.Tls.TlsFixtures;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Tls;

/// <summary>
/// TLS when things go wrong: handshakes that never end or are cut short, clients that go away, errors in the
/// protocol, cancelled reads, and no descriptor left behind (asyncio's <c>test_sslproto</c> and <c>test_ssl</c>:
/// <c>test_handshake_timeout</c>, <c>test_create_connection_ssl_failed_certificate</c>, <c>test_ssl_handshake_connection_lost</c>).
/// Descriptors are counted over the whole process, so these run alone (in the collection of whole-process measurements).
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public class TlsFailureTests
{
    /// <summary>A plain listener the test accepts on by hand (a peer that speaks no TLS).</summary>
    private static Socket RawListener()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);
        listener.Blocking = false;
        return listener;
    }

    private static int PortOf(Socket listener) => ((IPEndPoint)listener.LocalEndPoint!).Port;

    [LinuxFact]
    public void AServerThatNeverAnswers_TimesTheHandshakeOut_OnVirtualTime()
    {
        EventLoop loop = SelectorLoops.NewEpoll(virtualTime: true);
        SelectorLoops.Run(loop, async () =>
        {
            using Socket listener = RawListener();
            double start = loop.Time();
            var clock = Stopwatch.StartNew();
            var error = await Assert.ThrowsAsync<TimeoutException>(async () =>
                await Aio.OpenConnection("127.0.0.1", PortOf(listener), ssl: TrustingClient(), sslHandshakeTimeout: 30));
            Assert.Contains("SSL handshake is taking longer than 30 seconds", error.Message);
            Assert.InRange(loop.Time() - start, 30, 31);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed} of real time");
        });
    }

    [LinuxFact]
    public void TheDefaultHandshakeTimeout_IsSixtySeconds()
    {
        EventLoop loop = SelectorLoops.NewEpoll(virtualTime: true);
        SelectorLoops.Run(loop, async () =>
        {
            using Socket listener = RawListener();
            double start = loop.Time();
            await Assert.ThrowsAsync<TimeoutException>(async () =>
                await loop.CreateConnection(() => new RecordingProtocol(), "127.0.0.1", PortOf(listener), ssl: TrustingClient()));
            Assert.InRange(loop.Time() - start, 60, 61);
        });
    }

    [LinuxFact]
    public void AHandshakeTimeout_OnRealTime_EndsWithinGenerousBounds() =>
        Run(async loop =>
        {
            using Socket listener = RawListener();
            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAsync<TimeoutException>(async () =>
                await Aio.OpenConnection("127.0.0.1", PortOf(listener), ssl: TrustingClient(), sslHandshakeTimeout: 0.3));
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.25, 10);
        });

    [LinuxFact]
    public void AClientThatSendsNothing_IsDroppedByTheServersHandshakeTimeout_AndTheHandlerNeverRuns()
    {
        EventLoop loop = SelectorLoops.NewEpoll(virtualTime: true);
        SelectorLoops.Run(loop, async () =>
        {
            bool handled = false;
            await using Server server = await Aio.StartServer(async (reader, writer) => { handled = true; await Task.CompletedTask; },
                "127.0.0.1", 0, ssl: ServerOptions(), sslHandshakeTimeout: 5);
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            await loop.SockConnectAsync(client, new IPEndPoint(IPAddress.Loopback, TransportFixtures.PortOf(server)));
            double start = loop.Time();
            Assert.Equal(0, await DrainToEnd(loop, client));   // the server closes: EOF or a reset
            Assert.InRange(loop.Time() - start, 5, 6);
            Assert.False(handled);
        });
    }

    [LinuxFact]
    public void APeerThatClosesMidHandshake_FailsTheConnect_WithATlsOrIoError() =>
        Run(async loop =>
        {
            using Socket listener = RawListener();
            AioTask closer = Aio.CreateTask(AcceptReadAndClose(loop, listener));
            Exception? error = await Record.ExceptionAsync(async () =>
                await Aio.OpenConnection("127.0.0.1", PortOf(listener), ssl: TrustingClient()));
            Assert.True(error is AuthenticationException or IOException, $"got {error}");
            await closer;
        });

    private static async Coroutine AcceptReadAndClose(EventLoop loop, Socket listener)
    {
        var (peer, _) = await loop.SockAcceptAsync(listener);
        using (peer) await loop.SockRecvAsync(peer, 4096);   // the ClientHello
    }

    [LinuxFact]
    public void ClientsThatGoAwayDuringTheHandshake_AreNotReported_AndTheServerClosesCleanly() =>
        Run(async loop =>
        {
            var reports = new List<ExceptionContext>();
            loop.SetExceptionHandler((_, context) => reports.Add(context));
            bool handled = false;
            Server server = await Aio.StartServer(async (reader, writer) => { handled = true; await Task.CompletedTask; },
                "127.0.0.1", 0, ssl: ServerOptions());
            for (int i = 0; i < 3; i++)
            {
                using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
                await loop.SockConnectAsync(client, new IPEndPoint(IPAddress.Loopback, TransportFixtures.PortOf(server)));
                if (i == 1) await loop.SockSendallAsync(client, B("GET / HTTP/1.0\r\n\r\n"));   // not TLS at all
            }
            await Aio.Sleep(0.2);
            server.Close();
            await Aio.WaitFor(server.WaitClosedAsync(), 10);
            Assert.False(handled);
            Assert.Empty(reports);
        });

    [LinuxFact]
    public void AnExceptionInDataReceived_IsReported_AndLosesTheConnectionWithIt() =>
        Run(async loop =>
        {
            var reports = new List<ExceptionContext>();
            loop.SetExceptionHandler((_, context) => reports.Add(context));
            await using Server server = await loop.CreateServer(() => new EchoProtocol(), "127.0.0.1", 0, ssl: ServerOptions());
            var (transport, client) = await loop.CreateConnection(() => new ThrowsOnData(), "127.0.0.1", TransportFixtures.PortOf(server), ssl: TrustingClient());
            transport.Write(B("boom"));
            await Until(() => client.IsLost);
            var error = Assert.IsType<InvalidOperationException>(client.LostWith);
            Assert.Equal("boom", error.Message);
            var report = Assert.Single(reports);
            Assert.Same(error, report.Exception);
            Assert.Equal("Fatal error: protocol.data_received() call failed.", report.Message);
        });

    [LinuxFact]
    public void ACancelledRead_LeavesTheTlsStreamUsable() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(async (reader, writer) =>
            {
                await reader.ReadLineAsync();   // "go"
                writer.Write(B("late\n"));
                await writer.DrainAsync();
                await Streams.StreamConnectionTests.EchoLines(reader, writer);
            }, "127.0.0.1", 0, ssl: ServerOptions());
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", TransportFixtures.PortOf(server), ssl: TrustingClient());
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(reader.ReadLineAsync(), 0.1));
            writer.Write(B("go\n"));
            Assert.Equal("late\n", S(await reader.ReadLineAsync()));
            writer.Write(B("again\n"));
            Assert.Equal("again\n", S(await reader.ReadLineAsync()));
            writer.Close();
            await writer.WaitClosedAsync();
        });

    [LinuxFact]
    public void Descriptors_ComeBackToTheBaseline_AfterConnectionsThatWorkedAndFailed()
    {
        // The first default verification loads the system's trust store once per process (and keeps its files):
        // do it before counting.
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(Streams.StreamConnectionTests.EchoLines, "127.0.0.1", 0, ssl: ServerOptions());
            await Assert.ThrowsAsync<AuthenticationException>(async () =>
                await Aio.OpenConnection("127.0.0.1", TransportFixtures.PortOf(server), ssl: DefaultClient()));
        });
        int before = SelectorLoops.OpenDescriptors();
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(Streams.StreamConnectionTests.EchoLines, "127.0.0.1", 0, ssl: ServerOptions());
            int port = TransportFixtures.PortOf(server);
            for (int i = 0; i < 10; i++)
            {
                var (reader, writer) = await Aio.OpenConnection("127.0.0.1", port, ssl: TrustingClient());
                writer.Write(B("x\n"));
                await reader.ReadLineAsync();
                writer.Close();
                await writer.WaitClosedAsync();
            }
            for (int i = 0; i < 10; i++)
            {
                int during = SelectorLoops.OpenDescriptors();
                await Assert.ThrowsAsync<AuthenticationException>(async () => await Aio.OpenConnection("127.0.0.1", port, ssl: DefaultClient()));
                // The failed connect closed its socket before throwing.
                Assert.True(SelectorLoops.OpenDescriptors() - during < 5, $"{during} before the connect, {SelectorLoops.OpenDescriptors()} after");
            }
            await Aio.Sleep(0.2);   // the server's side of the failed handshakes closes too
        });
        Assert.True(SelectorLoops.OpenDescriptors() - before < 10, $"{before} before, {SelectorLoops.OpenDescriptors()} after");
    }

    /// <summary>Throws from <see cref="DataReceived"/>.</summary>
    private sealed class ThrowsOnData : RecordingProtocol
    {
        public override void DataReceived(ReadOnlySpan<byte> data) => throw new InvalidOperationException("boom");
    }
}
