using System.Net.Sockets;
using Asyncio.Tests.Selectors;
using static Asyncio.Tests.Sockets.SocketStreamFixtures;

namespace Asyncio.Tests.Sockets;

/// <summary>
/// <see cref="LoopSocketStream"/>'s reads and writes, on each selector that watches descriptors: what can be done at
/// once is done on the calling thread, what has to wait is completed on the loop thread; cancellation, end of
/// stream, resets, and one operation per direction.
/// </summary>
public class LoopSocketStreamTests
{
    public static TheoryData<string> Selectors() => SocketStreamFixtures.Selectors();

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task ReadAsync_WithDataThere_CompletesSynchronously_WithoutTheLoopRunning(string selector)
    {
        var loop = SelectorLoops.New(selector);
        var (stream, peer) = Pair(loop);
        using (stream)
        using (peer)
        {
            peer.Send("hello"u8);
            await Until(() => stream.Socket.Available == 5);
            byte[] buffer = new byte[16];

            Task<int> read = stream.ReadAsync(buffer).AsTask();

            Assert.True(read.IsCompletedSuccessfully);
            Assert.Equal(5, await read);
            Assert.Equal("hello"u8.ToArray(), buffer[..5]);
        }
        loop.Close();
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task WriteAsync_ThatFits_CompletesSynchronously_WithoutTheLoopRunning(string selector)
    {
        var loop = SelectorLoops.New(selector);
        var (stream, peer) = Pair(loop);
        using (stream)
        using (peer)
        {
            Task write = stream.WriteAsync("hello"u8.ToArray()).AsTask();

            Assert.True(write.IsCompletedSuccessfully);
            await write;
            Assert.Equal("hello"u8.ToArray(), Receive(peer, 5));
        }
        loop.Close();
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task ReadAsync_WithNoData_Waits_ThenCompletesOnTheLoopThread_WithThePeersBytes(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            byte[] buffer = new byte[16];
            Task<(int Result, int Thread)> read = ContinuedOn(stream.ReadAsync(buffer));
            await Task.Delay(Moment);
            Assert.False(read.IsCompleted);

            peer.Send("hello"u8);

            var (n, thread) = await read.WaitAsync(Patience);
            Assert.Equal(running.ThreadId, thread);
            Assert.Equal(5, n);
            Assert.Equal("hello"u8.ToArray(), buffer[..5]);
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task ReadAsync_ZeroBytes_WaitsForData_AndTakesNothing(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            Task<int> probe = stream.ReadAsync(Memory<byte>.Empty).AsTask();
            await Task.Delay(Moment);
            Assert.False(probe.IsCompleted);

            peer.Send("abc"u8);

            Assert.Equal(0, await probe.WaitAsync(Patience));
            byte[] buffer = new byte[16];
            Assert.Equal(3, await stream.ReadAsync(buffer).AsTask().WaitAsync(Patience));
            Assert.Equal("abc"u8.ToArray(), buffer[..3]);
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task ReadAsync_Waiting_ReturnsZero_WhenThePeerShutsDownItsSending(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            Task<int> read = stream.ReadAsync(new byte[16]).AsTask();
            await Task.Delay(Moment);

            peer.Shutdown(SocketShutdown.Send);

            Assert.Equal(0, await read.WaitAsync(Patience));
            Assert.Equal(0, await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(Patience));
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task ReadAsync_Waiting_ReturnsZero_WhenThePeerCloses(string selector)
    {
        using var running = new LoopOnItsOwnThread(selector);
        var (stream, peer) = Pair(running.Loop);
        using (stream)
        {
            Task<int> read = stream.ReadAsync(new byte[16]).AsTask();
            await Task.Delay(Moment);

            peer.Close();

            Assert.Equal(0, await read.WaitAsync(Patience));
        }
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task ReadAsync_Waiting_FailsWithConnectionReset_WhenThePeerResets(string selector)
    {
        using var running = new LoopOnItsOwnThread(selector);
        var (stream, peer) = Pair(running.Loop);
        using (stream)
        {
            Task<int> read = stream.ReadAsync(new byte[16]).AsTask();
            await Task.Delay(Moment);

            Reset(peer);

            var error = await Assert.ThrowsAsync<IOException>(() => read.WaitAsync(Patience));
            Assert.Equal(SocketError.ConnectionReset, Assert.IsType<SocketException>(error.InnerException).SocketErrorCode);
        }
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task WriteAsync_AfterThePeerReset_FailsWithIOException(string selector)
    {
        using var running = new LoopOnItsOwnThread(selector);
        var (stream, peer) = Pair(running.Loop);
        using (stream)
        {
            Reset(peer);

            // The first send may still go out before the reset is seen; one of the next ones fails.
            var error = await Assert.ThrowsAsync<IOException>(async () =>
            {
                for (int i = 0; i < 100; i++)
                {
                    await stream.WriteAsync(new byte[1024]).AsTask().WaitAsync(Patience);
                    await Task.Delay(1);
                }
            });
            Assert.IsType<SocketException>(error.InnerException);
        }
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task WriteAsync_LargerThanTheSocketBuffers_CompletesOnlyAsThePeerReads_EveryByteInOrder(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            Task write = stream.WriteAsync(Large).AsTask();
            await Task.Delay(Moment);
            Assert.False(write.IsCompleted);

            byte[] received = Receive(peer, Large.Length);

            await write.WaitAsync(Patience);
            Assert.True(Large.AsSpan().SequenceEqual(received));
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task WriteAsync_ThatWaits_CompletesOnTheLoopThread(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            Task<int> write = ContinuedOn(stream.WriteAsync(Large));
            Assert.False(write.IsCompleted);

            Receive(peer, Large.Length);

            Assert.Equal(running.ThreadId, await write.WaitAsync(Patience));
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task ReadAsync_CancelledWhileWaiting_ThrowsOperationCanceled_AndTakesNothing(string selector)
    {
        using var running = new LoopOnItsOwnThread(selector);
        var (stream, peer) = Pair(running.Loop);
        using (stream)
        using (peer)
        using (var cancel = new CancellationTokenSource())
        {
            Task<int> read = stream.ReadAsync(new byte[16], cancel.Token).AsTask();
            await Task.Delay(Moment);

            cancel.Cancel();

            var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read.WaitAsync(Patience));
            Assert.Equal(cancel.Token, error.CancellationToken);
            peer.Send("after"u8);
            byte[] buffer = new byte[16];
            Assert.Equal(5, await stream.ReadAsync(buffer).AsTask().WaitAsync(Patience));
            Assert.Equal("after"u8.ToArray(), buffer[..5]);
        }
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task ReadAsync_WithAnAlreadyCancelledToken_FailsAtOnce_AndTakesNothing(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            peer.Send("there"u8);
            await Until(() => stream.Socket.Available == 5);

            Task<int> read = stream.ReadAsync(new byte[16], new CancellationToken(canceled: true)).AsTask();

            Assert.True(read.IsCanceled);
            byte[] buffer = new byte[16];
            Assert.Equal(5, await stream.ReadAsync(buffer).AsTask().WaitAsync(Patience));
            Assert.Equal("there"u8.ToArray(), buffer[..5]);
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task WriteAsync_CancelledWhileWaiting_ThrowsOperationCanceled(string selector)
    {
        using var running = new LoopOnItsOwnThread(selector);
        var (stream, peer) = Pair(running.Loop);
        using (stream)
        using (peer)
        using (var cancel = new CancellationTokenSource())
        {
            Task write = stream.WriteAsync(Large, cancel.Token).AsTask();
            await Task.Delay(Moment);

            cancel.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write.WaitAsync(Patience));
            Assert.True(stream.WriteAsync(new byte[1], new CancellationToken(canceled: true)).AsTask().IsCanceled);
        }
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task ASecondReadWhileOneWaits_ThrowsInvalidOperation_AndTheFirstStillGetsTheData(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            byte[] buffer = new byte[16];
            Task<int> first = stream.ReadAsync(buffer).AsTask();

            await Assert.ThrowsAsync<InvalidOperationException>(() => stream.ReadAsync(new byte[16]).AsTask());

            peer.Send("first"u8);
            Assert.Equal(5, await first.WaitAsync(Patience));
            Assert.Equal("first"u8.ToArray(), buffer[..5]);
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task ASecondWriteWhileOneWaits_ThrowsInvalidOperation_AndSendsNothing(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            Task first = stream.WriteAsync(Large).AsTask();
            await Task.Delay(Moment);

            await Assert.ThrowsAsync<InvalidOperationException>(async () => await stream.WriteAsync("intruder"u8.ToArray()));

            byte[] received = Receive(peer, Large.Length);
            await first.WaitAsync(Patience);
            Assert.True(Large.AsSpan().SequenceEqual(received));
            // Nothing after the first write's bytes: the refused write sent none of its own.
            stream.Socket.Shutdown(SocketShutdown.Send);
            Assert.True(SeesTheEnd(peer));
        });

    public static TheoryData<string, string> SelectorsAndKinds()
    {
        var data = new TheoryData<string, string>();
        foreach (string selector in Selectors())
        {
            foreach (string kind in SocketPairs.Kinds()) data.Add(selector, kind);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(SelectorsAndKinds))]
    public Task AWaitingReadAndAWaitingWrite_WorkOverEachSocketKind(string selector, string kind) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            Task<int> read = stream.ReadAsync(new byte[16]).AsTask();
            Task write = stream.WriteAsync(Large).AsTask();
            await Task.Delay(Moment);
            Assert.False(read.IsCompleted || write.IsCompleted);

            peer.Send("x"u8);
            byte[] received = Receive(peer, Large.Length);

            Assert.Equal(1, await read.WaitAsync(Patience));
            await write.WaitAsync(Patience);
            Assert.True(Large.AsSpan().SequenceEqual(received));
        }, kind);
}
