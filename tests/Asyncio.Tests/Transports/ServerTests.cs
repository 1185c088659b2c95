using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Selectors;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Transports;

/// <summary>
/// <see cref="Server"/>: accepting many connections on one loop, closing, waiting for the connections to end, and
/// serving forever until cancelled (asyncio's <c>base_events.Server</c>).
/// </summary>
public class ServerTests
{
    [LinuxFact]
    public void TwoHundredClients_FiftyMessagesEach_OnOneLoop_NothingLostOrReordered()
    {
        const int clients = 200, messages = 50;
        var watch = Stopwatch.StartNew();
        Run(async loop =>
        {
            await using Server server = await loop.CreateServer(() => new EchoProtocol(), "127.0.0.1", 0, backlog: 512);
            var tasks = new List<AioTask<(string Sent, string Received)>>();
            for (int c = 0; c < clients; c++) tasks.Add(Aio.CreateTask(Client(loop, server, c)));
            foreach (var task in tasks)
            {
                var (sent, received) = await task;
                Assert.Equal(sent, received);
            }
        }, limitSeconds: 60);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");

        static async Coroutine<(string, string)> Client(EventLoop loop, Server server, int id)
        {
            var (transport, protocol) = await ConnectTo(loop, server, () => new RecordingProtocol());
            var sent = new StringBuilder();
            for (int m = 0; m < messages; m++)
            {
                string message = $"client {id} message {m};";
                sent.Append(message);
                transport.Write(Encoding.UTF8.GetBytes(message));
                if (m % 10 == 9) await Aio.Sleep(0);   // interleave the clients
            }
            transport.WriteEof();   // the echo closes on EOF, after flushing the echoes
            await Until(() => protocol.IsLost, seconds: 30);
            return (sent.ToString(), protocol.Text);
        }
    }

    [LinuxFact]
    public void Close_StopsAccepting_WaitClosedCompletesOnceTheConnectionsAreLost() =>
        Run(async loop =>
        {
            var serverSide = new RecordingProtocol();
            Server server = await Listen(loop, () => serverSide);
            int port = PortOf(server);
            var (transport, client) = await ConnectTo(loop, server, () => new RecordingProtocol());
            Assert.True(server.IsServing);
            server.Close();
            Assert.False(server.IsServing);
            Assert.Empty(server.Sockets);
            var error = await Assert.ThrowsAsync<SocketException>(
                async () => await loop.CreateConnection(() => new RecordingProtocol(), "127.0.0.1", port));
            Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);

            AioTask waitClosed = Aio.CreateTask(server.WaitClosedAsync());
            await Aio.Sleep(0.02);
            Assert.False(waitClosed.IsDone);   // the accepted connection still lives, and still works
            transport.Write("still here"u8);
            await Until(() => serverSide.Received.Count == 10);
            transport.Close();
            await waitClosed;
            Assert.True(serverSide.IsLost && client.IsLost);
            await server.WaitClosedAsync();   // at once, now
        });

    [LinuxFact]
    public void CloseClients_ClosesTheAcceptedConnections() =>
        Run(async loop =>
        {
            Server server = await Listen(loop, () => new RecordingProtocol());
            var (_, client) = await ConnectTo(loop, server, () => new RecordingProtocol());
            await Aio.Sleep(0.01);
            server.Close();
            server.CloseClients();
            await server.WaitClosedAsync();
            await Until(() => client.IsLost);
            Assert.Equal(["made", "eof", "lost"], client.Events);
        });

    [LinuxFact]
    public void ServeForever_EndsByCancellation_AndClosesTheServer() =>
        Run(async loop =>
        {
            Server server = await Listen(loop, () => new RecordingProtocol());
            AioTask serving = Aio.CreateTask(server.ServeForeverAsync());
            await Aio.Sleep(0);
            Assert.Throws<InvalidOperationException>(() => server.ServeForeverAsync());
            serving.Cancel();
            await Assert.ThrowsAsync<CancelledError>(async () => await serving);
            Assert.False(server.IsServing);
            Assert.Throws<InvalidOperationException>(() => server.ServeForeverAsync());
        });

    [LinuxFact]
    public void AProtocolFactoryThatThrows_IsReported_AndTheConnectionClosed() =>
        Run(async loop =>
        {
            var reports = new List<ExceptionContext>();
            loop.SetExceptionHandler((_, context) => reports.Add(context));
            await using Server server = await Listen(loop, () => throw new FormatException("no protocol"));
            var (_, client) = await ConnectTo(loop, server, () => new RecordingProtocol());
            await Until(() => client.IsLost);
            Assert.IsType<FormatException>(Assert.Single(reports).Exception);
        });

    [LinuxFact]
    public void OnAVirtualClock_AnExchangeOnOneLoop_BeatsAVirtualTimeout()
    {
        EventLoop loop = SelectorLoops.NewEpoll(virtualTime: true);
        SelectorLoops.Run(loop, async () =>
        {
            await using Server server = await Listen(loop, () => new EchoProtocol());
            var done = loop.CreateFuture<string>();
            var (transport, _) = await ConnectTo(loop, server, () => new CompletingProtocol(done));
            transport.Write(new byte[1 << 20]);
            transport.WriteEof();
            // The readers hold no clock, but what is ready is dispatched before each jump: the megabyte comes back
            // long before the virtual second is over.
            Assert.Equal("1048576 bytes back", await Aio.WaitFor(done, 1.0));
        });
    }

    /// <summary>Counts what comes back and completes a future with the count when the connection is lost.</summary>
    private sealed class CompletingProtocol(Future<string> done) : Protocol
    {
        private long _received;

        public override void DataReceived(ReadOnlySpan<byte> data) => _received += data.Length;

        public override void ConnectionLost(Exception? exception) => done.SetResult($"{_received} bytes back");
    }
}
