using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Selectors;
using Asyncio.Tests.Transports;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Streams;

/// <summary>
/// Servers under load on one loop: a thousand clients echoing at once, a peer that resets mid-message, and ten
/// thousand idle connections held and closed without a descriptor leak. Descriptors are counted over the whole
/// process, so these run alone (in the collection of whole-process measurements).
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public class ScaleTests
{
    private const int Clients = 1_000, Messages = 100;

    [LinuxFact]
    public void AThousandClients_AHundredMessagesEach_OverStreams_NothingLostOrReordered() =>
        ThousandClients(() => Aio.StartServer(StreamConnectionTests.EchoLines, "127.0.0.1", 0, backlog: 1024));

    [LinuxFact]
    public void AThousandClients_AHundredMessagesEach_OverAProtocol_NothingLostOrReordered() =>
        ThousandClients(() => Aio.GetRunningLoop().CreateServer(() => new EchoProtocol(), "127.0.0.1", 0, backlog: 1024));

    /// <summary>
    /// Every client sends its numbered lines in rounds of ten and checks each echo before the next round, so that
    /// all clients interleave on the server; each one then half-closes and expects the server's EOF.
    /// </summary>
    private static void ThousandClients(Func<Coroutine<Server>> start)
    {
        var watch = Stopwatch.StartNew();
        int checkedEchoes = 0;
        Run(async loop =>
        {
            await using Server server = await start();
            var tasks = new AioTask[Clients];
            for (int c = 0; c < Clients; c++) tasks[c] = Aio.CreateTask(Client(PortOf(server), c));
            await Aio.Gather(tasks);
        }, limitSeconds: 90);
        Assert.Equal(Clients * Messages, checkedEchoes);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");

        async Coroutine Client(int port, int id)
        {
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", port);
            for (int round = 0; round < Messages / 10; round++)
            {
                for (int m = round * 10; m < round * 10 + 10; m++) writer.Write(Encoding.ASCII.GetBytes($"client {id} message {m}\n"));
                await writer.DrainAsync();
                for (int m = round * 10; m < round * 10 + 10; m++)
                {
                    Assert.Equal($"client {id} message {m}\n", Encoding.ASCII.GetString(await reader.ReadLineAsync()));
                    checkedEchoes++;
                }
            }
            writer.WriteEof();
            Assert.Empty(await reader.ReadAsync());   // the server closed after the last echo
            writer.Close();
            await writer.WaitClosedAsync();
        }
    }

    [LinuxFact]
    public void APeerThatResetsMidMessage_FailsTheStreamsServersRead_InsteadOfHanging()
    {
        Exception? seen = null;
        Run(async loop =>
        {
            var failed = loop.CreateFuture<Exception>();
            await using Server server = await Aio.StartServer(async (reader, writer) =>
            {
                try
                {
                    await reader.ReadExactlyAsync(1000);   // only 100 bytes ever come
                    failed.SetException(new InvalidOperationException("the read completed"));
                }
                catch (Exception error)
                {
                    failed.SetResult(error);
                }
                writer.Close();
            }, "127.0.0.1", 0);
            using Socket peer = await SendHalfAMessage(loop, PortOf(server));
            Reset(peer);
            seen = await Aio.Timeout(20, async () => await failed);
        }, limitSeconds: 60);
        Assert.True(seen is SocketException or IOException, $"expected a socket error, got {seen}");
    }

    [LinuxFact]
    public void APeerThatResetsMidMessage_ReachesTheProtocolAsConnectionLostWithTheError()
    {
        Exception? seen = null;
        Run(async loop =>
        {
            var lost = loop.CreateFuture<Exception?>();
            await using Server server = await loop.CreateServer(() => new LossRecorder(lost), "127.0.0.1", 0);
            using Socket peer = await SendHalfAMessage(loop, PortOf(server));
            Reset(peer);
            seen = await Aio.Timeout(20, async () => await lost);
        }, limitSeconds: 60);
        Assert.True(seen is SocketException or IOException, $"expected a socket error, got {seen?.ToString() ?? "a clean EOF"}");
    }

    /// <summary>Connects a raw socket and sends the first 100 bytes of a 1000-byte message.</summary>
    private static async Coroutine<Socket> SendHalfAMessage(EventLoop loop, int port)
    {
        var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
        await loop.SockConnectAsync(peer, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port));
        await loop.SockSendallAsync(peer, new byte[100]);
        await Aio.Sleep(0.05);   // the server has the start of the message and waits for the rest
        return peer;
    }

    /// <summary>Closes with SO_LINGER 0: the kernel sends a reset instead of a FIN.</summary>
    private static void Reset(Socket peer)
    {
        peer.LingerState = new LingerOption(true, 0);
        peer.Close();
    }

    /// <summary>Records the error ConnectionLost is given.</summary>
    private sealed class LossRecorder(Future<Exception?> lost) : Protocol
    {
        public override void ConnectionLost(Exception? exception) => lost.SetResult(exception);
    }

    private const int IdleConnections = 10_000;

    /// <summary>The server's side of every connection in this process, plus the runtime's own.</summary>
    private const int IdleDescriptors = IdleConnections + 1024;

    /// <summary>
    /// The clients live in a child (bash, opening <c>/dev/tcp</c> connections) so that this process needs one
    /// descriptor per connection, not two: 10,000 pairs would not fit the usual hard limit of 20,000. The child
    /// holds them until its stdin closes, then exits, and the kernel closes them all.
    /// </summary>
    [DescriptorsFact(IdleDescriptors)]
    public void TenThousandIdleConnections_AreHeld_ThenAllCloseWithoutADescriptorLeak()
    {
        // Discovery may have run in another process: raise the limit in this one too (the child inherits it).
        Assert.True(FileDescriptorLimit.TryRaiseTo(IdleDescriptors, out string? why), why);
        Run(async loop => await HoldAndClose(1));   // the runtime opens descriptors of its own on first use
        int before = SelectorLoops.OpenDescriptors();
        int held = 0;
        var watch = Stopwatch.StartNew();
        Run(async loop => held = await HoldAndClose(IdleConnections), limitSeconds: 90);
        Assert.Equal(IdleConnections, held);
        // A leak would show as thousands; the runtime and the test host open a few of their own meanwhile (seen: 10).
        Assert.True(SelectorLoops.OpenDescriptors() - before < 50, $"{before} descriptors before, {SelectorLoops.OpenDescriptors()} after");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"took {watch.Elapsed}");

        static async Coroutine<int> HoldAndClose(int count)
        {
            int waiting = 0, ended = 0;
            Server server = await Aio.StartServer(async (reader, writer) =>
            {
                waiting++;
                Assert.Empty(await reader.ReadAsync());   // idle until the client closes
                ended++;
                writer.Close();
                await writer.WaitClosedAsync();
            }, "127.0.0.1", 0, backlog: 1024);
            using Process clients = StartIdleClients(PortOf(server), count);
            try
            {
                await Until(() => waiting == count || clients.HasExited, seconds: 45);
                if (clients.HasExited) Assert.Fail($"the clients exited early ({clients.ExitCode}): {clients.StandardError.ReadToEnd()}");
                int heldAtOnce = waiting;
                server.Close();
                clients.StandardInput.Close();   // the child exits; its connections close
                await Aio.Timeout(30, async () => await server.WaitClosedAsync());   // every server side was lost
                Assert.Equal(count, ended);
                return heldAtOnce;
            }
            finally
            {
                if (!clients.HasExited) clients.Kill(entireProcessTree: true);
                clients.WaitForExit();
            }
        }
    }

    /// <summary>A bash child that opens <paramref name="count"/> connections to the port and holds them until its stdin closes.</summary>
    private static Process StartIdleClients(int port, int count)
    {
        const string script = "for ((i = 0; i < $2; i++)); do exec {fd}<>/dev/tcp/127.0.0.1/$1 || exit 3; done; read -r _";
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "-c", script, "idle-clients", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     count.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }
        return Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
    }
}
