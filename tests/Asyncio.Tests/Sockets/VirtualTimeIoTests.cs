using System.Diagnostics;
using System.Net.Sockets;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Selectors;

namespace Asyncio.Tests.Sockets;

/// <summary>
/// The virtual-time rule for I/O: a reader or writer registered by itself holds nothing (a listening server lets
/// the clock jump), descriptors are polled before every jump (bytes already on loopback are read first), and a
/// socket operation waiting on the loop holds the clock for a short real-time grace, as a foreign await does.
/// </summary>
public class VirtualTimeIoTests
{
    [LinuxFact]
    public void ARegisteredReader_HoldsNoClock_AListeningServerSleepsAnHourAtOnce()
    {
        using Socket listener = SocketPairs.Listener("tcp4");
        var stopwatch = Stopwatch.StartNew();
        double slept = SelectorLoops.Run(SelectorLoops.NewEpoll(virtualTime: true), async () =>
        {
            var loop = Aio.GetRunningLoop();
            loop.AddReader(listener, () => { });
            double start = loop.Time();
            for (int i = 0; i < 60; i++) await Aio.Sleep(60);
            loop.RemoveReader(listener);
            return loop.Time() - start;
        });
        Assert.Equal(3600, slept, 3);
        // Sixty jumps without a grace each: far below the 1.2 s that sixty graces of 20 ms would take.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1), $"took {stopwatch.Elapsed}");
    }

    [LinuxFact]
    public void AReadyDescriptor_RunsBeforeTheClockJumps()
    {
        string first = "";
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            a.Send("x"u8);
            await Aio.Sleep(0.01);
            loop.AddReader(b, () =>
            {
                if (first == "") first = "reader";
                loop.RemoveReader(b);
            });
            await Aio.Sleep(3600);
            if (first == "") first = "timer";
        }, loop: SelectorLoops.NewEpoll(virtualTime: true));
        Assert.Equal("reader", first);
    }

    [LinuxFact]
    public void AnEchoOnTheLoop_UnderAVirtualTimeout_NeverTimesOut()
    {
        byte[] data = new byte[4 * 1024 * 1024];
        Random.Shared.NextBytes(data);
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            await Aio.Timeout(1.0, async () =>
            {
                AioTask sender = Aio.CreateTask(loop.SockSendallAsync(a, data));
                byte[] buffer = new byte[data.Length];
                int received = 0;
                while (received < data.Length) received += await loop.SockRecvIntoAsync(b, buffer.AsMemory(received));
                await sender;
                Assert.True(data.AsSpan().SequenceEqual(buffer));
            });
        }, loop: SelectorLoops.NewEpoll(virtualTime: true));
    }

    [LinuxFact]
    public void APendingRecv_HoldsTheClockForAGrace_SoBytesSentByAnotherThreadBeatAVirtualTimeout()
    {
        // The grace is 20 ms of real time: on a loaded machine the peer thread may not get a core that soon, and
        // the virtual timeout then wins fairly. So a few attempts, each on a fresh pair; one is enough to show it.
        byte[] got = [];
        for (int attempt = 0; attempt < 5 && got.Length == 0; attempt++) got = RecvFromAnotherThreadUnderAVirtualTimeout();
        Assert.Equal("late but real"u8.ToArray(), got);
    }

    /// <summary>What a receive got from a peer thread told to send once the receive waits; empty if the virtual timeout won.</summary>
    private static byte[] RecvFromAnotherThreadUnderAVirtualTimeout()
    {
        byte[] got = [];
        var go = 0;
        Exception? peerError = null;
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            // The peer spins rather than blocks, so that it sends within microseconds of being told to.
            var peer = new Thread(() =>
            {
                while (Volatile.Read(ref go) == 0) Thread.SpinWait(20);
                try
                {
                    a.Send("late but real"u8);
                }
                catch (Exception error) when (error is ObjectDisposedException or SocketException)
                {
                    peerError = error;   // never escapes a thread: that would end the test process
                }
            });
            peer.Start();
            try
            {
                got = await Aio.Timeout(10, async () =>
                {
                    AioTask<byte[]> recv = Aio.CreateTask(loop.SockRecvAsync(b, 100));
                    await Aio.Sleep(0);
                    Volatile.Write(ref go, 1);
                    return await recv;
                });
            }
            catch (TimeoutException)
            {
                // The peer was not scheduled within the grace; the caller tries again.
            }
            finally
            {
                Volatile.Write(ref go, 1);
                peer.Join();   // before the pair is closed
            }
        }, loop: SelectorLoops.NewEpoll(virtualTime: true));
        Assert.Null(peerError);
        return got;
    }

    [LinuxFact]
    public void APendingRecv_ThatNothingAnswers_TimesOutInVirtualTime_AfterOnlyAGrace()
    {
        var stopwatch = Stopwatch.StartNew();
        double waited = 0;
        SocketPairs.RunOnPair(async (loop, _, b) =>
        {
            double start = loop.Time();
            await Assert.ThrowsAsync<TimeoutException>(async () =>
                await Aio.Timeout(3600, async () => await loop.SockRecvAsync(b, 100)));
            waited = loop.Time() - start;
        }, loop: SelectorLoops.NewEpoll(virtualTime: true));
        Assert.Equal(3600, waited, 3);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }
}
