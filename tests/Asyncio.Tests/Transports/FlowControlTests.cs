using Asyncio.Tests.Executors;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Transports;

/// <summary>
/// The write buffer and flow control of a socket transport, against a raw peer socket the test reads (or does
/// not read) by hand: Close flushes, Abort drops, the water marks pause and resume the protocol, and reading
/// pauses without losing bytes.
/// </summary>
public class FlowControlTests
{
    /// <summary>More than loopback's socket buffers hold, so that some of it must wait in the transport.</summary>
    private const int Big = 16 << 20;

    [LinuxFact]
    public void Close_FlushesTheBuffer_BeforeClosing() =>
        RunWithRawPeer(() => new RecordingProtocol(), async (loop, transport, client, peer) =>
        {
            transport.Write(new byte[Big]);
            Assert.True(transport.GetWriteBufferSize() > 0);
            transport.Close();
            Assert.Equal(Big, await DrainToEnd(loop, peer));
            await Until(() => client.IsLost);
            Assert.Null(client.LostWith);
            Assert.Equal(0, transport.GetWriteBufferSize());
        });

    [LinuxFact]
    public void Abort_DropsTheBuffer_AndClosesAtOnce() =>
        RunWithRawPeer(() => new RecordingProtocol(), async (loop, transport, client, peer) =>
        {
            transport.Write(new byte[Big]);
            transport.Abort();
            Assert.Equal(0, transport.GetWriteBufferSize());
            Assert.True(transport.IsClosing);
            Assert.True(await DrainToEnd(loop, peer) < Big);
            await Until(() => client.IsLost);
            Assert.Null(client.LostWith);
        });

    [LinuxFact]
    public void WaterMarks_PauseWritingAboveHigh_ResumeWritingOnceDrainedBelowLow() =>
        RunWithRawPeer(() => new RecordingProtocol(), async (loop, transport, client, peer) =>
        {
            transport.SetWriteBufferLimits(high: 4096, low: 1024);
            byte[] chunk = new byte[1 << 16];
            long written = 0;
            while (!client.Events.Contains("pause"))   // the peer does not read: the kernel fills, then the buffer
            {
                transport.Write(chunk);
                written += chunk.Length;
                Assert.True(written < 1L << 30, "never paused");
            }
            Assert.True(transport.GetWriteBufferSize() > 4096);
            byte[] buffer = new byte[1 << 16];
            long read = 0;
            while (!client.Events.Contains("resume")) read += await loop.SockRecvIntoAsync(peer, buffer);
            Assert.True(transport.GetWriteBufferSize() <= 1024);
            Assert.Equal(["made", "pause", "resume"], client.Events);
            transport.Close();
            Assert.Equal(written, read + await DrainToEnd(loop, peer));
        });

    [LinuxFact]
    public void SetWriteBufferLimits_RejectsHighBelowLow() =>
        RunWithRawPeer(() => new RecordingProtocol(), async (loop, transport, _, peer) =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => transport.SetWriteBufferLimits(high: 10, low: 20));
            Assert.Throws<ArgumentOutOfRangeException>(() => transport.SetWriteBufferLimits(low: -1));
            transport.SetWriteBufferLimits(low: 100);   // high defaults to 4 x low
            transport.Close();
        });

    [LinuxFact]
    public void PauseReading_StopsDataReceived_ResumeReadingDeliversWhatArrivedMeanwhile() =>
        RunWithRawPeer(() => new RecordingProtocol(), async (loop, transport, client, peer) =>
        {
            await loop.SockSendallAsync(peer, "one,"u8.ToArray());
            await Until(() => client.Received.Count == 4);
            transport.PauseReading();
            Assert.False(transport.IsReading);
            await loop.SockSendallAsync(peer, "two,three"u8.ToArray());
            await Aio.Sleep(0.05);
            Assert.Equal("one,", client.Text);
            transport.ResumeReading();
            Assert.True(transport.IsReading);
            await Until(() => client.Received.Count == 13);
            Assert.Equal("one,two,three", client.Text);
            transport.Close();
        });

    [LinuxFact]
    public void BufferedProtocol_ReceivesIntoItsOwnBuffer() =>
        RunWithRawPeer(() => new SmallBufferProtocol(), async (loop, transport, client, peer) =>
        {
            byte[] sent = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
            await loop.SockSendallAsync(peer, sent);
            await Until(() => client.Received.Count == 100);
            Assert.Equal(sent, client.Received);
            Assert.All(client.Updates, n => Assert.InRange(n, 1, 7));
            Assert.Equal(-1, client.LastHint);
            transport.Close();
        });

    /// <summary>Receives into a 7-byte buffer and records each fill.</summary>
    private sealed class SmallBufferProtocol : BufferedProtocol
    {
        private readonly byte[] _buffer = new byte[7];

        public List<byte> Received { get; } = [];

        public List<int> Updates { get; } = [];

        public int LastHint { get; private set; }

        public override Memory<byte> GetBuffer(int sizeHint)
        {
            LastHint = sizeHint;
            return _buffer;
        }

        public override void BufferUpdated(int count)
        {
            Updates.Add(count);
            Received.AddRange(_buffer.AsSpan(0, count).ToArray());
        }

        public override void DataReceived(ReadOnlySpan<byte> data) => throw new InvalidOperationException("a buffered protocol is never given data");
    }
}
