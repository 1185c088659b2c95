using System.Net.Sockets;
using Asyncio.Tests.Selectors;
using Asyncio.Tests.Subprocesses;
using static Asyncio.Tests.Sockets.SocketStreamFixtures;

namespace Asyncio.Tests.Sockets;

/// <summary>
/// <see cref="LoopSocketStream"/> under faults: disposal, the loop's close, cancellations and peer resets at random
/// moments, and races with an operation's start. Every operation ends, and every socket is closed: the process's
/// descriptors are counted, so these run alone (in the collection of whole-process measurements).
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public class LoopSocketStreamFaultTests
{
    /// <summary>Streams per measured test: a leak of one descriptor each stands well out of the margin.</summary>
    private const int Streams = 20;

    /// <summary>Room for descriptors the runtime opens by itself meanwhile (its threads, timers).</summary>
    private const int Margin = 8;

    public static TheoryData<string> Selectors() => SocketStreamFixtures.Selectors();

    [LinuxTheory]
    [MemberData(nameof(Selectors))]
    public async Task Dispose_WhileReadsWait_FromAnotherThreadOrOnTheLoop_ClosesEverySocket(string selector)
    {
        using var running = new LoopOnItsOwnThread(selector);
        await WarmUp(running.Loop);
        int before = SelectorLoops.OpenDescriptors();
        for (int i = 0; i < Streams; i++)
        {
            var (stream, peer) = Pair(running.Loop);
            using (peer)
            {
                Task<int> read = stream.ReadAsync(new byte[16]).AsTask();
                await Task.Delay(1);
                if (i % 2 == 0) await Task.Run(stream.Dispose);
                else await running.OnLoop(stream.Dispose);
                await Assert.ThrowsAsync<ObjectDisposedException>(() => read.WaitAsync(Patience));
            }
        }
        SelectorLoops.AssertFewNewDescriptors(before, Margin);
    }

    [LinuxTheory]
    [MemberData(nameof(Selectors))]
    public async Task ClosingLoops_WhileReadsWait_ClosesEverySocket(string selector)
    {
        await WarmUp(SelectorLoops.New(selector), close: true);
        int before = SelectorLoops.OpenDescriptors();
        for (int i = 0; i < Streams; i++)
        {
            var running = new LoopOnItsOwnThread(selector);
            var (stream, peer) = Pair(running.Loop);
            using (peer)
            {
                Task<int> read = stream.ReadAsync(new byte[16]).AsTask();
                await Task.Delay(1);
                running.Dispose();
                await Assert.ThrowsAsync<ObjectDisposedException>(() => read.WaitAsync(Patience));
            }
        }

        // A leak would be one socket per stream, or the loops' own descriptors: 20 or more.
        SelectorLoops.AssertFewNewDescriptors(before, Margin);
    }

    [LinuxTheory]
    [MemberData(nameof(Selectors))]
    public async Task AReadStarting_WhileAnotherThreadDisposesOrCancels_AlwaysEnds(string selector)
    {
        using var running = new LoopOnItsOwnThread(selector);
        await WarmUp(running.Loop);
        int before = SelectorLoops.OpenDescriptors();
        for (int i = 0; i < 300; i++)
        {
            var (stream, peer) = Pair(running.Loop);
            using (peer)
            using (stream)
            using (var cancel = new CancellationTokenSource())
            using (var start = new Barrier(2))
            {
                bool dispose = i % 2 == 0;
                Task<int> read = Task.Run(() =>
                {
                    start.SignalAndWait();
                    return stream.ReadAsync(new byte[16], cancel.Token).AsTask();
                });
                start.SignalAndWait();
                if (dispose) stream.Dispose();
                else cancel.Cancel();

                Exception? error = await Record.ExceptionAsync(() => read.WaitAsync(Patience));
                Assert.True(dispose ? error is ObjectDisposedException : error is OperationCanceledException,
                    $"round {i}: {(dispose ? "disposed" : "cancelled")}, ended with {error?.GetType().Name ?? "a result"}");
            }
        }
        SelectorLoops.AssertFewNewDescriptors(before, Margin);
    }

    [LinuxTheory]
    [MemberData(nameof(Selectors))]
    public async Task RandomCancellationsResetsAndDisposals_EveryOperationEnds_NoDescriptorLeaks(string selector)
    {
        int seed = Random.Shared.Next();
        var random = new Random(seed);
        using var running = new LoopOnItsOwnThread(selector);
        await WarmUp(running.Loop);
        int before = SelectorLoops.OpenDescriptors();
        for (int round = 0; round < 100; round++)
        {
            await FaultRound.Run(running, new Random(random.Next()), $"seed {seed}, round {round}");
        }
        SelectorLoops.AssertFewNewDescriptors(before, Margin, $"seed {seed}: ");
    }

    /// <summary>The runtime opens descriptors of its own on first use of sockets, the loop and the thread pool.</summary>
    private static async Task WarmUp(EventLoop loop, bool close = false)
    {
        var (stream, peer) = Pair(loop);
        using (peer)
        using (stream)
        {
            await Task.Run(() => stream.WriteAsync(new byte[1]).AsTask()).WaitAsync(Patience);
        }
        if (close) loop.Close();
    }
}

/// <summary>
/// One round of the randomized fault test: a reader and a writer on the stream with random sizes and random
/// cancellations, a peer that reads, writes and then resets, closes or waits, and maybe a disposal from another
/// thread or the loop's. Every operation must end in time, and only in the ways a fault allows.
/// </summary>
internal static class FaultRound
{
    public static async Task Run(LoopOnItsOwnThread running, Random random, string round)
    {
        var (stream, peer) = Pair(running.Loop);
        peer.Blocking = false;
        int readerSeed = random.Next(), writerSeed = random.Next(), peerSeed = random.Next();
        Task reader = Task.Run(() => Read(stream, new Random(readerSeed), round));
        Task writer = Task.Run(() => Write(stream, new Random(writerSeed), round));
        Task peerDone = Task.Factory.StartNew(() => Peer(peer, new Random(peerSeed)), TaskCreationOptions.LongRunning);
        switch (random.Next(4))
        {
            case 0:
                await Task.Delay(random.Next(10));
                await Task.Run(stream.Dispose);
                break;
            case 1:
                await Task.Delay(random.Next(10));
                await running.OnLoop(stream.Dispose);
                break;
        }
        await peerDone.WaitAsync(Patience);
        // A peer that stays open and stops reading leaves a write waiting for good: the disposal ends it.
        await Task.Delay(random.Next(5));
        stream.Dispose();
        await Ends(Task.WhenAll(reader, writer), round);
        peer.Dispose();
    }

    private static async Task Read(LoopSocketStream stream, Random random, string round)
    {
        byte[] buffer = new byte[64 * 1024];
        for (int i = 0; i < 50; i++)
        {
            int size = random.Next(4) == 0 ? 0 : random.Next(1, buffer.Length);
            using var cancel = Cancellation(random);
            Task<int> read = Started(() => stream.ReadAsync(buffer.AsMemory(0, size), cancel.Token));
            if (!await Ends(read, round)) continue;
            if (read.IsFaulted || (read.Result == 0 && size > 0)) return;
        }
    }

    private static async Task Write(LoopSocketStream stream, Random random, string round)
    {
        for (int i = 0; i < 10; i++)
        {
            byte[] data = new byte[random.Next(1, 256 * 1024)];
            using var cancel = Cancellation(random);
            Task write = Started(() => stream.WriteAsync(data, cancel.Token));
            if (await Ends(write, round) && write.IsFaulted) return;
        }
    }

    /// <summary>The peer's script: a few random reads and writes, then a reset, an orderly close, or nothing.</summary>
    private static void Peer(Socket peer, Random random)
    {
        byte[] buffer = new byte[64 * 1024];
        for (int step = random.Next(20); step > 0; step--)
        {
            if (random.Next(2) == 0)
            {
                if (peer.Poll(random.Next(5000), SelectMode.SelectRead)) peer.Receive(buffer, SocketFlags.None, out _);
            }
            else peer.Send(buffer, 0, random.Next(1, 16 * 1024), SocketFlags.None, out _);
        }
        switch (random.Next(3))
        {
            case 0:
                Reset(peer);
                break;
            case 1:
                peer.Close();
                break;
        }
    }

    /// <summary>A token that is never cancelled, cancelled at once, or cancelled after a few milliseconds.</summary>
    private static CancellationTokenSource Cancellation(Random random) => random.Next(3) switch
    {
        0 => new CancellationTokenSource(),
        1 => new CancellationTokenSource(TimeSpan.Zero),
        _ => new CancellationTokenSource(TimeSpan.FromMilliseconds(random.Next(1, 10))),
    };

    /// <summary>
    /// Waits for <paramref name="operation"/> to end: false if it was cancelled, true otherwise; fails the test if it
    /// hangs or ends with an error no fault explains.
    /// </summary>
    private static async Task<bool> Ends(Task operation, string round)
    {
        try
        {
            await operation.WaitAsync(Patience);
            return true;
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{round}: an operation never ended");
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException)
        {
        }
        catch (Exception error)
        {
            Assert.Fail($"{round}: an operation ended with {error}");
        }
        return true;
    }
}
