using System.Security.Cryptography;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Transports;
using static Asyncio.Tests.Tls.TlsFixtures;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Tls;

/// <summary>
/// Flow control through TLS: megabytes both ways, a writer paused by a peer that does not read, a reader whose pause
/// reaches the socket, and a <see cref="BufferedProtocol"/> with a small buffer (asyncio's <c>test_sslproto</c> and
/// <c>test_ssl</c> cases on large and buffered transfers).
/// </summary>
public class TlsFlowControlTests
{
    private const int Megabyte = 1024 * 1024;

    /// <summary>Writes back exactly <paramref name="total"/> bytes as they come, then closes.</summary>
    private static Func<AsyncStreamReader, AsyncStreamWriter, Coroutine> EchoBytes(int total) => async (reader, writer) =>
    {
        int echoed = 0;
        while (echoed < total)
        {
            byte[] chunk = await reader.ReadAsync(64 * 1024);
            if (chunk.Length == 0) break;
            writer.Write(chunk);
            await writer.DrainAsync();
            echoed += chunk.Length;
        }
        writer.Close();
        await writer.WaitClosedAsync();
    };

    [LinuxFact]
    public void SeveralMegabytes_EchoBothWaysAtOnce_IntactAndInOrder() =>
        Run(async loop =>
        {
            byte[] payload = RandomNumberGenerator.GetBytes(8 * Megabyte);
            await using Server server = await Aio.StartServer(EchoBytes(payload.Length), "127.0.0.1", 0, ssl: ServerOptions());
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server), ssl: TrustingClient());
            AioTask sending = Aio.CreateTask(Send());
            byte[] echoed = await reader.ReadExactlyAsync(payload.Length);
            await sending;
            Assert.True(payload.AsSpan().SequenceEqual(echoed));
            writer.Close();
            await writer.WaitClosedAsync();

            async Coroutine Send()
            {
                for (int offset = 0; offset < payload.Length; offset += 100_000)
                {
                    writer.Write(payload.AsSpan(offset, Math.Min(100_000, payload.Length - offset)));
                    await writer.DrainAsync();
                }
            }
        }, limitSeconds: 60);

    [LinuxFact]
    public void APeerThatDoesNotRead_PausesTheWriter_AndReadingAgainResumesIt() =>
        Run(async loop =>
        {
            RecordingProtocol? serverSide = null;
            await using Server server = await loop.CreateServer(() => serverSide = new PausedAtStart(), "127.0.0.1", 0, ssl: ServerOptions());
            var (transport, client) = await loop.CreateConnection(() => new RecordingProtocol(), "127.0.0.1", PortOf(server), ssl: TrustingClient());
            byte[] payload = RandomNumberGenerator.GetBytes(16 * Megabyte);
            transport.Write(payload);
            // The server's side hears of the connection once its own handshake ends, which may be after the client's.
            await Until(() => client.Events.Contains("pause") && serverSide?.Transport is not null, seconds: 30);
            Assert.True(transport.GetWriteBufferSize() > 64 * 1024);
            serverSide!.Transport!.ResumeReading();
            await Until(() => serverSide.Received.Count == payload.Length, seconds: 60);
            Assert.Equal(["made", "pause", "resume"], client.Events);
            Assert.Equal(0, transport.GetWriteBufferSize());
            Assert.True(payload.AsSpan().SequenceEqual(serverSide.Received.ToArray()));
            transport.Close();
        }, limitSeconds: 90);

    [LinuxFact]
    public void PauseReading_StopsDataReceived_AndTheSocketPushesBackOnTheSender() =>
        Run(async loop =>
        {
            var serverSide = new TaskCompletionSource<ITransport>();
            await using Server server = await loop.CreateServer(() => new Sender(serverSide), "127.0.0.1", 0, ssl: ServerOptions());
            var (transport, client) = await loop.CreateConnection(() => new PausedAtStart(), "127.0.0.1", PortOf(server), ssl: TrustingClient());
            Assert.False(transport.IsReading);
            ITransport sender = await serverSide.Task;
            byte[] payload = RandomNumberGenerator.GetBytes(32 * Megabyte);
            sender.Write(payload);
            // The client neither delivers nor buffers without bound: its socket stops reading, so the server keeps a backlog.
            await Until(() => sender.GetWriteBufferSize() > 0, seconds: 30);
            await Aio.Sleep(0.2);
            Assert.Empty(client.Received);
            Assert.True(sender.GetWriteBufferSize() > 0);
            transport.ResumeReading();
            Assert.True(transport.IsReading);
            await Until(() => client.Received.Count == payload.Length, seconds: 60);
            Assert.True(payload.AsSpan().SequenceEqual(client.Received.ToArray()));
            transport.Close();
            await Until(() => client.IsLost);
            Assert.Null(client.LostWith);
        }, limitSeconds: 90);

    [LinuxFact]
    public void ABufferedProtocol_WithASmallBuffer_GetsEveryByteInOrder() =>
        Run(async loop =>
        {
            await using Server server = await loop.CreateServer(() => new EchoProtocol(), "127.0.0.1", 0, ssl: ServerOptions());
            var (transport, client) = await loop.CreateConnection(() => new SmallBuffers(7), "127.0.0.1", PortOf(server), ssl: TrustingClient());
            byte[] payload = RandomNumberGenerator.GetBytes(300_000);
            transport.Write(payload);
            await Until(() => client.Received.Count == payload.Length, seconds: 30);
            Assert.True(payload.AsSpan().SequenceEqual(client.Received.ToArray()));
            transport.Close();
        });

    [LinuxFact]
    public void SetWriteBufferLimits_AppliesToThePlaintextBacklog() =>
        Run(async loop =>
        {
            PausedAtStart? serverSide = null;
            await using Server server = await loop.CreateServer(() => serverSide = new PausedAtStart(), "127.0.0.1", 0, ssl: ServerOptions());
            var (transport, client) = await loop.CreateConnection(() => new SizeAtFlowControl(), "127.0.0.1", PortOf(server), ssl: TrustingClient());
            try
            {
                Assert.Throws<ArgumentOutOfRangeException>(() => transport.SetWriteBufferLimits(high: 1, low: 2));
                transport.SetWriteBufferLimits(high: 300_000, low: 100_000);
                byte[] block = new byte[1024 * 1024];
                while (client.AtPause is null)
                {
                    transport.Write(block);
                    await Aio.Sleep(0.01);
                }
                Assert.True(client.AtPause > 300_000, $"paused at {client.AtPause}");
                await Until(() => serverSide?.Transport is not null);
                serverSide!.Transport!.ResumeReading();
                await Until(() => client.AtResume is not null, seconds: 30);
                Assert.True(client.AtResume <= 100_000, $"resumed at {client.AtResume}");
            }
            finally
            {
                transport.Abort();
                server.AbortClients();   // the server's side may still be paused: nothing else would end it
            }
        });

    /// <summary>Records the transport's write-buffer size when writing is paused and resumed.</summary>
    private sealed class SizeAtFlowControl : Protocol
    {
        private ITransport? _transport;

        public int? AtPause { get; private set; }

        public int? AtResume { get; private set; }

        public override void ConnectionMade(ITransport transport) => _transport = transport;

        public override void PauseWriting() => AtPause ??= _transport!.GetWriteBufferSize();

        public override void ResumeWriting() => AtResume ??= _transport!.GetWriteBufferSize();
    }

    /// <summary>A recording protocol that pauses reading as soon as it has its transport.</summary>
    private sealed class PausedAtStart : RecordingProtocol
    {
        public override void ConnectionMade(ITransport transport)
        {
            base.ConnectionMade(transport);
            transport.PauseReading();
        }
    }

    /// <summary>Hands its transport to the test.</summary>
    private sealed class Sender(TaskCompletionSource<ITransport> made) : Protocol
    {
        public override void ConnectionMade(ITransport transport) => made.TrySetResult(transport);
    }

    /// <summary>A buffered protocol that hands out tiny buffers and collects what lands in them.</summary>
    private sealed class SmallBuffers(int size) : BufferedProtocol
    {
        private readonly byte[] _buffer = new byte[size];

        public List<byte> Received { get; } = [];

        public override Memory<byte> GetBuffer(int sizeHint) => _buffer;

        public override void BufferUpdated(int count) => Received.AddRange(_buffer.AsSpan(0, count).ToArray());
    }
}
