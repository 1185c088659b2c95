using System.Net;
using System.Net.Sockets;
using System.Text;
using Asyncio.Tests.Executors;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Streams;

/// <summary>
/// Streams over real loopback connections (asyncio's <c>open_connection</c> and <c>start_server</c>): echo,
/// half-close, closing order, back-pressure both ways, and errors that surface instead of hanging.
/// </summary>
public class StreamConnectionTests
{
    private static byte[] B(string text) => Encoding.ASCII.GetBytes(text);

    private static string S(byte[] bytes) => Encoding.ASCII.GetString(bytes);

    /// <summary>Writes back each line until EOF, then closes.</summary>
    internal static async Coroutine EchoLines(AsyncStreamReader reader, AsyncStreamWriter writer)
    {
        while (await reader.ReadLineAsync() is { Length: > 0 } line)
        {
            writer.Write(line);
            await writer.DrainAsync();
        }
        writer.Close();
        await writer.WaitClosedAsync();
    }

    [LinuxFact]
    public void OpenConnection_ToStartServer_EchoesLines() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(EchoLines, "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            writer.Write(B("hello\n"));
            writer.WriteLines([B("wor"), B("ld\n")]);
            await writer.DrainAsync();
            Assert.Equal("hello\n", S(await reader.ReadLineAsync()));
            Assert.Equal("world\n", S(await reader.ReadLineAsync()));
            Assert.IsType<IPEndPoint>(writer.GetExtraInfo("peername"));
            writer.Close();
            await writer.WaitClosedAsync();
        });

    [LinuxFact]
    public void WriteEof_HalfCloses_ThePeerReadsToEof_AndStillAnswers() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(async (reader, writer) =>
            {
                byte[] request = await reader.ReadAsync();   // until EOF
                writer.Write(B($"got {S(request)}"));
                writer.Close();
            }, "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            Assert.True(writer.CanWriteEof);
            writer.Write(B("request"));
            writer.WriteEof();
            Assert.Equal("got request", S(await reader.ReadAsync()));
            Assert.True(reader.AtEof);
            writer.Close();
            await writer.WaitClosedAsync();
        });

    [LinuxFact]
    public void Close_IsClosingAtOnce_WaitClosedCompletesInALaterIteration_ThenDrainFails() =>
        Run(async loop =>
        {
            var serverSawEof = loop.CreateFuture<bool>();
            await using Server server = await Aio.StartServer(async (reader, writer) =>
            {
                serverSawEof.SetResult((await reader.ReadAsync()).Length == 0);
                writer.Close();
            }, "127.0.0.1", 0);
            var (_, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            writer.Close();
            Assert.True(writer.IsClosing);
            AioTask waitClosed = Aio.CreateTask(writer.WaitClosedAsync());
            Assert.False(waitClosed.IsDone);
            await waitClosed;
            Assert.True(await serverSawEof);
            var error = await Assert.ThrowsAsync<SocketException>(async () => await writer.DrainAsync());
            Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        });

    [LinuxFact]
    public void Drain_BlocksWhileThePeerDoesNotRead_AndReturnsOnceItReads() =>
        Run(async loop =>
        {
            var startReading = new AsyncEvent();
            var serverTotal = loop.CreateFuture<int>();
            await using Server server = await Aio.StartServer(async (reader, writer) =>
            {
                await startReading.WaitAsync();
                serverTotal.SetResult((await reader.ReadAsync()).Length);
                writer.Close();
            }, "127.0.0.1", 0, limit: 1024);
            var (_, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            var (blocked, sent) = await WriteUntilDrainBlocks(writer);
            await Aio.Sleep(0.1);
            Assert.False(blocked.IsDone);   // the peer still does not read
            startReading.Set();
            await blocked;
            writer.WriteEof();
            Assert.Equal(sent, await serverTotal);
            writer.Close();
        }, limitSeconds: 60);

    /// <summary>
    /// Writes to a peer that does not read until a drain stays blocked: the peer's reader (paused at 2 × limit),
    /// both kernels' buffers, then this transport's buffer fill up. The blocked drain and the bytes written.
    /// </summary>
    private static async Coroutine<(AioTask Drain, int Sent)> WriteUntilDrainBlocks(AsyncStreamWriter writer)
    {
        byte[] chunk = new byte[256 * 1024];
        int sent = 0;
        while (sent < 256 * 1024 * 1024)
        {
            writer.Write(chunk);
            sent += chunk.Length;
            AioTask drain = Aio.CreateTask(writer.DrainAsync());
            await Aio.Sleep(0.02);
            if (!drain.IsDone) return (drain, sent);
        }
        throw new InvalidOperationException($"the drain never blocked after {sent} bytes");
    }

    [LinuxFact]
    public void PeerReset_WhileADrainWaits_FailsTheDrain() =>
        Run(async loop =>
        {
            var reset = new AsyncEvent();
            await using Server server = await Aio.StartServer(async (reader, writer) =>
            {
                await reset.WaitAsync();
                ((Socket)writer.GetExtraInfo("socket")!).LingerState = new LingerOption(true, 0);
                writer.Transport.Abort();
            }, "127.0.0.1", 0, limit: 1024);
            var (_, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            var (blocked, _) = await WriteUntilDrainBlocks(writer);
            reset.Set();
            await Assert.ThrowsAsync<SocketException>(async () => await Aio.Timeout(10, async () => await blocked));
        }, limitSeconds: 60);

    [LinuxFact]
    public void Reader_PausesTheTransportAboveTwiceTheLimit_AndResumesOnceRead() =>
        Run(async loop =>
        {
            var serverSide = loop.CreateFuture<(AsyncStreamReader, AsyncStreamWriter)>();
            await using Server server = await Aio.StartServer(async (reader, writer) =>
            {
                serverSide.SetResult((reader, writer));
                await Aio.Sleep(0);
            }, "127.0.0.1", 0, limit: 1000);
            var (_, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            var (serverReader, serverWriter) = await serverSide;
            writer.Write(new byte[10_000]);
            await Until(() => !serverWriter.Transport.IsReading);
            Assert.Equal(2001, (await serverReader.ReadExactlyAsync(2001)).Length + 0);
            // Whatever was buffered beyond 2001 bytes, reads bring the buffer to the limit and the transport reads again.
            int total = 2001;
            while (total < 10_000) total += (await serverReader.ReadAsync(500)).Length;
            Assert.True(serverWriter.Transport.IsReading);
            writer.Close();
            serverWriter.Close();
        });

    [LinuxFact]
    public void ReadExactly_OfMoreThanTwiceTheLimit_ResumesThePausedTransport() =>
        Run(async loop =>
        {
            // The buffer pauses the transport at 2 × limit; a read that needs more must let it read again, or it waits forever.
            var received = loop.CreateFuture<int>();
            await using Server server = await Aio.StartServer(async (reader, writer) =>
            {
                received.SetResult((await reader.ReadExactlyAsync(50_000)).Length);
                writer.Close();
            }, "127.0.0.1", 0, limit: 1000);
            var (_, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            for (int i = 0; i < 10; i++)   // in separate receives: one receive of everything would never pause
            {
                writer.Write(new byte[5_000]);
                await writer.DrainAsync();
                await Aio.Sleep(0.005);
            }
            Assert.Equal(50_000, await Aio.Timeout(10, received));
            writer.Close();
        });

    [LinuxFact]
    public void Write_AfterWriteEof_ThrowsInvalidOperation() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(EchoLines, "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            writer.WriteEof();
            Assert.Throws<InvalidOperationException>(() => writer.Write(B("late\n")));
            Assert.Empty(await reader.ReadAsync());   // the echo saw EOF and closed
            writer.Close();
        });

    [LinuxFact]
    public void PeerReset_SurfacesFromARead_AsSocketException() =>
        Run(async loop =>
        {
            await using Server server = await Aio.StartServer(async (reader, writer) =>
            {
                await reader.ReadLineAsync();
                // Linger 0: closing sends a reset instead of a FIN.
                ((Socket)writer.GetExtraInfo("socket")!).LingerState = new LingerOption(true, 0);
                writer.Transport.Abort();
            }, "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            writer.Write(B("reset me\n"));
            var error = await Assert.ThrowsAsync<SocketException>(async () => await Aio.Timeout(10, () => reader.ReadAsync()));
            Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
            await Assert.ThrowsAsync<SocketException>(async () => await writer.DrainAsync());
            await Assert.ThrowsAsync<SocketException>(async () => await writer.WaitClosedAsync());
        });

    [LinuxFact]
    public void AHandlerThatThrows_IsReported_AndItsConnectionClosed() =>
        Run(async loop =>
        {
            var reports = new List<ExceptionContext>();
            loop.SetExceptionHandler((_, context) => reports.Add(context));
            await using Server server = await Aio.StartServer((reader, writer) => throw new InvalidOperationException("boom"), "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            Assert.Empty(await Aio.Timeout(10, () => reader.ReadAsync()));   // EOF, not a hang
            Assert.IsType<InvalidOperationException>(Assert.Single(reports).Exception);
            writer.Close();
        });

    [LinuxFact]
    public void ACancelledHandler_ClosesItsConnection() =>
        Run(async loop =>
        {
            var handlerTask = loop.CreateFuture<AioTask>();
            await using Server server = await Aio.StartServer(async (reader, writer) =>
            {
                handlerTask.SetResult(Aio.CurrentTask()!);
                await Aio.Sleep(3600);
            }, "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            (await handlerTask).Cancel();
            Assert.Empty(await Aio.Timeout(10, () => reader.ReadAsync()));   // EOF, not a hang
            writer.Close();
        });

    [LinuxFact]
    public void UnixConnection_ToUnixServer_EchoesLines() =>
        Run(async loop =>
        {
            string path = Path.Combine(Path.GetTempPath(), $"aio-streams-{Guid.NewGuid():N}.sock");
            Server server = await Aio.StartUnixServer(EchoLines, path);
            var (reader, writer) = await Aio.OpenUnixConnection(path);
            writer.Write(B("over unix\n"));
            Assert.Equal("over unix\n", S(await reader.ReadLineAsync()));
            writer.Close();
            await writer.WaitClosedAsync();
            server.Close();
            await server.WaitClosedAsync();
            Assert.False(File.Exists(path));
        });

    [LinuxFact]
    public void OpenConnection_ToAClosedPort_ThrowsConnectionRefused() =>
        Run(async loop =>
        {
            Server server = await Aio.StartServer(EchoLines, "127.0.0.1", 0);
            int port = PortOf(server);
            server.Close();
            var error = await Assert.ThrowsAsync<SocketException>(async () => await Aio.OpenConnection("127.0.0.1", port));
            Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        });
}
