using System.Runtime.InteropServices;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Transports;
using Microsoft.Win32.SafeHandles;
using static Asyncio.Tests.Transports.TransportFixtures;

namespace Asyncio.Tests.Subprocesses;

/// <summary>
/// The pipe transports on their own, over a pipe made here rather than a child's (asyncio's
/// <c>UnixReadPipeTransportTests</c> and <c>UnixWritePipeTransportTests</c>): which errors reach the loop's exception
/// handler and which only <c>ConnectionLost</c>, closes that come twice or from inside a callback, and writes after a close.
/// </summary>
public class PipeTransportTests
{
    /// <summary>errno: the reading end is closed.</summary>
    private const int EPIPE = 32;

    [LinuxFact]
    public void WritePipe_AWriteTheReadingEndCannotTake_ReachesConnectionLost_AndNotTheExceptionHandler() =>
        Run(async loop =>
        {
            var reports = Reports(loop);
            var (readEnd, writeEnd) = NewPipe();
            readEnd.Dispose();
            // Written in ConnectionMade, before the selector could report the closed reading end.
            var protocol = new WritesOnConnectProtocol();
            ITransport transport = await StartWriting(loop, writeEnd, protocol);
            await Until(() => protocol.IsLost);
            Assert.Equal(EPIPE, Assert.IsType<IOException>(protocol.LostWith).HResult);
            Assert.True(transport.IsClosing);
            Assert.Empty(reports);   // asyncio: an OSError is an ordinary end of the connection (_fatal_error)
        });

    [LinuxFact]
    public void WritePipe_TheReadingEndClosedWhileACloseFlushes_IsABrokenPipe_NotReported() =>
        Run(async loop =>
        {
            var reports = Reports(loop);
            var (readEnd, writeEnd) = NewPipe();
            var protocol = new RecordingProtocol();
            ITransport transport = await StartWriting(loop, writeEnd, protocol);
            transport.Write(new byte[1024 * 1024]);   // far more than the pipe holds
            transport.Close();
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            Assert.False(protocol.IsLost);   // the close waits for the buffer
            readEnd.Dispose();
            await Until(() => protocol.IsLost);
            Assert.Equal(EPIPE, Assert.IsType<IOException>(protocol.LostWith).HResult);
            Assert.Equal(0, transport.GetWriteBufferSize());
            Assert.Empty(reports);
        });

    [LinuxFact]
    public void WritePipe_AWriteAfterClose_IsDropped() =>
        Run(async loop =>
        {
            var (readEnd, writeEnd) = NewPipe();
            using (readEnd)
            {
                var protocol = new RecordingProtocol();
                ITransport transport = await StartWriting(loop, writeEnd, protocol);
                transport.Close();
                transport.Write("late"u8);
                Assert.Equal(0, transport.GetWriteBufferSize());
                await Until(() => protocol.IsLost);
                Assert.Null(protocol.LostWith);
                Assert.Equal(0, ReadSome(readEnd));   // EOF at once: nothing was written
            }
        });

    [LinuxFact]
    public void WritePipe_AConnectionMadeThatThrowsAnIOException_IsReported_AndTheTransportClosed() =>
        Run(async loop =>
        {
            var reports = Reports(loop);
            var (readEnd, writeEnd) = NewPipe();
            using (readEnd)
            {
                var protocol = new ThrowOnConnectProtocol();
                ITransport transport = await StartWriting(loop, writeEnd, protocol);
                Assert.True(transport.IsClosing);
                await Until(() => protocol.IsLost);
                // A protocol's exception is reported whatever its type: only the pipe's own system calls end quietly.
                AssertReportedAndPassedOn(reports, protocol, protocol.Thrown, "connection_made");
            }
        });

    [LinuxFact]
    public void ReadPipe_AnIOExceptionFromDataReceived_IsReported_AndPassedToConnectionLost() =>
        Run(async loop =>
        {
            var reports = Reports(loop);
            var (readEnd, writeEnd) = NewPipe();
            using (writeEnd)
            {
                var protocol = new ThrowOnDataProtocol();
                ITransport transport = await StartReading(loop, readEnd, protocol);
                WriteAll(writeEnd, "boom"u8);
                await Until(() => protocol.IsLost);
                ExceptionContext report = AssertReportedAndPassedOn(reports, protocol, protocol.Thrown, "data_received");
                Assert.Same(transport, report.Extra!["transport"]);
                Assert.Same(protocol, report.Extra["protocol"]);
            }
        });

    [LinuxFact]
    public void ReadPipe_DataThenEof_TheProtocolHearsMadeDataEofLost_ThenThePipeIsClosed() =>
        Run(async loop =>
        {
            var (readEnd, writeEnd) = NewPipe();
            var protocol = new RecordingProtocol();
            ITransport transport = await StartReading(loop, readEnd, protocol);
            WriteAll(writeEnd, "abc"u8);
            writeEnd.Dispose();
            await Until(() => protocol.IsLost);
            Assert.Equal(["made", "data", "eof", "lost"], protocol.Events);
            Assert.Equal("abc", protocol.Text);
            Assert.Null(protocol.LostWith);
            Assert.True(((SafeFileHandle)transport.GetExtraInfo("pipe")!).IsClosed);
        });

    [LinuxFact]
    public void ReadPipe_AnAbortInsideEofReceived_LosesTheConnectionOnce() =>
        Run(async loop =>
        {
            var reports = Reports(loop);
            var (readEnd, writeEnd) = NewPipe();
            writeEnd.Dispose();
            var protocol = new AbortOnEofProtocol();
            await StartReading(loop, readEnd, protocol);
            await Until(() => protocol.IsLost);
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            Assert.Equal(["made", "eof", "lost"], protocol.Events);
            Assert.Null(protocol.LostWith);
            Assert.Empty(reports);
        });

    [LinuxTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void AbortTwice_LosesTheConnectionOnce_InALaterIteration(bool writing) =>
        Run(async loop =>
        {
            var (readEnd, writeEnd) = NewPipe();
            using SafeFileHandle peerEnd = writing ? readEnd : writeEnd;
            var protocol = new RecordingProtocol();
            ITransport transport = writing ? await StartWriting(loop, writeEnd, protocol) : await StartReading(loop, readEnd, protocol);
            transport.Abort();
            transport.Abort();
            Assert.True(transport.IsClosing);
            Assert.False(protocol.IsLost);   // never inside Abort()
            await Until(() => protocol.IsLost);
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            Assert.Equal(["made", "lost"], protocol.Events);
            Assert.Null(protocol.LostWith);
        });

    [LinuxFact]
    public void ToString_ShowsTheDescriptorAndTheState() =>
        Run(async loop =>
        {
            var (readEnd, writeEnd) = NewPipe();
            using (writeEnd)
            {
                int fd = (int)readEnd.DangerousGetHandle();
                var protocol = new RecordingProtocol();
                ITransport transport = await StartReading(loop, readEnd, protocol);
                Assert.Equal($"<ReadPipeTransport fd={fd} open>", transport.ToString());
                transport.Close();
                Assert.Equal($"<ReadPipeTransport fd={fd} closed>", transport.ToString());   // nothing to flush: lost at once
                await Until(() => protocol.IsLost);
            }
        });

    /// <summary>A new pipe, both ends non-blocking and close-on-exec.</summary>
    private static (SafeFileHandle Read, SafeFileHandle Write) NewPipe()
    {
        int[] fds = new int[2];
        Assert.Equal(0, SpawnNative.pipe2(ref fds[0], SpawnNative.O_CLOEXEC | LinuxNative.O_NONBLOCK));
        return (new SafeFileHandle(fds[0], ownsHandle: true), new SafeFileHandle(fds[1], ownsHandle: true));
    }

    private static List<ExceptionContext> Reports(EventLoop loop)
    {
        var reports = new List<ExceptionContext>();
        loop.SetExceptionHandler((_, context) => reports.Add(context));
        return reports;
    }

    /// <summary>The protocol's exception went to the exception handler, under the callback's name, and on to <c>ConnectionLost</c>.</summary>
    private static ExceptionContext AssertReportedAndPassedOn(List<ExceptionContext> reports, RecordingProtocol protocol, Exception thrown, string callback)
    {
        ExceptionContext report = Assert.Single(reports);
        Assert.Same(thrown, report.Exception);
        Assert.Contains(callback, report.Message, StringComparison.Ordinal);
        Assert.Same(thrown, protocol.LostWith);
        return report;
    }

    private static async Coroutine<ITransport> StartReading(EventLoop loop, SafeFileHandle pipe, Protocol protocol)
    {
        Future<bool> made = loop.CreateFuture<bool>();
        var transport = new ReadPipeTransport(loop, pipe, protocol, made);
        await made;
        return transport;
    }

    private static async Coroutine<ITransport> StartWriting(EventLoop loop, SafeFileHandle pipe, Protocol protocol)
    {
        Future<bool> made = loop.CreateFuture<bool>();
        var transport = new WritePipeTransport(loop, pipe, protocol, made);
        await made;
        return transport;
    }

    private static void WriteAll(SafeFileHandle pipe, ReadOnlySpan<byte> data) =>
        Assert.Equal(data.Length, (int)SpawnNative.write(pipe, ref MemoryMarshal.GetReference(data), data.Length));

    /// <summary>One read of up to 4 KiB: the count, 0 at EOF, -1 when nothing is there yet.</summary>
    private static int ReadSome(SafeFileHandle pipe)
    {
        byte[] buffer = new byte[4096];
        return (int)SpawnNative.read(pipe, ref buffer[0], buffer.Length);
    }

    private sealed class WritesOnConnectProtocol : RecordingProtocol
    {
        public override void ConnectionMade(ITransport transport)
        {
            base.ConnectionMade(transport);
            transport.Write("x"u8);
        }
    }

    private sealed class ThrowOnConnectProtocol : RecordingProtocol
    {
        public IOException Thrown { get; } = new("cannot start");

        public override void ConnectionMade(ITransport transport) => throw Thrown;
    }

    private sealed class ThrowOnDataProtocol : RecordingProtocol
    {
        public IOException Thrown { get; } = new("bad data");

        public override void DataReceived(ReadOnlySpan<byte> data) => throw Thrown;
    }

    private sealed class AbortOnEofProtocol : RecordingProtocol
    {
        public override bool EofReceived()
        {
            base.EofReceived();
            Transport!.Abort();
            return false;
        }
    }
}
