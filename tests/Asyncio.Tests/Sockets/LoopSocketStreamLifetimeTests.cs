using System.Net;
using System.Net.Sockets;
using Asyncio.Tests.Selectors;
using static Asyncio.Tests.Sockets.SocketStreamFixtures;

namespace Asyncio.Tests.Sockets;

/// <summary>
/// How a <see cref="LoopSocketStream"/> is made and how it ends: what <see cref="EventLoop.CreateSocketStream"/>
/// refuses, and disposal or the loop's close while an operation waits (it fails, the socket is closed, nothing hangs).
/// </summary>
public class LoopSocketStreamLifetimeTests
{
    public static TheoryData<string> Selectors() => SocketStreamFixtures.Selectors();

    public static TheoryData<string> AllSelectors() => SelectorLoops.Available();

    [Theory]
    [MemberData(nameof(AllSelectors))]
    public void CanWatchDescriptors_IsFalse_OnlyForThePlainWait(string selector)
    {
        var loop = SelectorLoops.New(selector);

        Assert.Equal(selector != "wait", loop.CanWatchDescriptors);
        loop.Close();
    }

    [Fact]
    public void CreateSocketStream_OnALoopThatCannotWatchDescriptors_ThrowsNotSupported()
    {
        var loop = SelectorLoops.New("wait");
        var (a, b) = SocketPairs.Connected();
        using (a)
        using (b)
        {
            Assert.Throws<NotSupportedException>(() => loop.CreateSocketStream(a));
        }
        loop.Close();
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void CreateSocketStream_RefusesAnUnconnectedSocket(string selector)
    {
        var loop = SelectorLoops.New(selector);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        Assert.Throws<ArgumentException>(() => loop.CreateSocketStream(socket));
        loop.Close();
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void CreateSocketStream_RefusesADatagramSocket_EvenConnected(string selector)
    {
        var loop = SelectorLoops.New(selector);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(new IPEndPoint(IPAddress.Loopback, 9));

        Assert.Throws<ArgumentException>(() => loop.CreateSocketStream(socket));
        loop.Close();
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void CreateSocketStream_OnAClosedLoop_ThrowsInvalidOperation(string selector)
    {
        var loop = SelectorLoops.New(selector);
        loop.Close();
        var (a, b) = SocketPairs.Connected();
        using (a)
        using (b)
        {
            Assert.Throws<InvalidOperationException>(() => loop.CreateSocketStream(a));
        }
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task Dispose_FromAnotherThread_WhileAReadWaits_FailsItWithObjectDisposed_AndClosesTheSocket(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            Task<int> read = stream.ReadAsync(new byte[16]).AsTask();
            await Task.Delay(Moment);

            await Task.Run(stream.Dispose);

            await Assert.ThrowsAsync<ObjectDisposedException>(() => read.WaitAsync(Patience));
            Assert.True(SeesTheEnd(peer));
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task Dispose_OnTheLoopThread_WhileAReadWaits_FailsItWithObjectDisposed_AndClosesTheSocket(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            Task<int> read = stream.ReadAsync(new byte[16]).AsTask();
            await Task.Delay(Moment);

            await running.OnLoop(stream.Dispose);

            await Assert.ThrowsAsync<ObjectDisposedException>(() => read.WaitAsync(Patience));
            Assert.True(SeesTheEnd(peer));
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task Dispose_WhileAWriteWaits_FailsItWithObjectDisposed(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            Task write = stream.WriteAsync(Large).AsTask();
            await Task.Delay(Moment);

            stream.Dispose();

            await Assert.ThrowsAsync<ObjectDisposedException>(() => write.WaitAsync(Patience));
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task OperationsAfterDispose_ThrowObjectDisposed(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            stream.Dispose();

            Assert.False(stream.CanRead);
            Assert.False(stream.CanWrite);
            await Assert.ThrowsAsync<ObjectDisposedException>(() => stream.ReadAsync(new byte[1]).AsTask());
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await stream.WriteAsync(new byte[1]));
            Assert.Throws<ObjectDisposedException>(() => stream.Read(new byte[1], 0, 1));
            Assert.Throws<ObjectDisposedException>(() => stream.Write(new byte[1], 0, 1));
            stream.Dispose();
            Assert.True(SeesTheEnd(peer));
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task ClosingTheLoop_WhileAReadWaits_FailsItWithObjectDisposed_AndClosesTheSocket(string selector)
    {
        var running = new LoopOnItsOwnThread(selector);
        var (stream, peer) = Pair(running.Loop);
        using (stream)
        using (peer)
        {
            Task<int> read = stream.ReadAsync(new byte[16]).AsTask();
            await Task.Delay(Moment);

            running.Dispose();

            await Assert.ThrowsAsync<ObjectDisposedException>(() => read.WaitAsync(Patience));
            Assert.True(SeesTheEnd(peer));
        }
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task ClosingALoopThatNeverRan_WhileAReadWaits_FailsItWithObjectDisposed_AndClosesTheSocket(string selector)
    {
        // The read was started off the loop thread: its wait is still a message in the loop's inbox when it closes.
        var loop = SelectorLoops.New(selector);
        var (stream, peer) = Pair(loop);
        using (stream)
        using (peer)
        {
            Task<int> read = stream.ReadAsync(new byte[16]).AsTask();

            loop.Close();

            await Assert.ThrowsAsync<ObjectDisposedException>(() => read.WaitAsync(Patience));
            Assert.True(SeesTheEnd(peer));
        }
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void ClosingTheLoop_ClosesAStreamThatNeverWaited(string selector)
    {
        // Every operation of this stream was done at once: it never registered anything with the loop.
        var loop = SelectorLoops.New(selector);
        var (stream, peer) = Pair(loop);
        using (stream)
        using (peer)
        {
            Assert.True(stream.WriteAsync("once"u8.ToArray()).AsTask().IsCompletedSuccessfully);

            // Runs the loop (which takes the stream) and closes it.
            SelectorLoops.Run(loop, async () => { await Aio.Sleep(0); return 0; });

            Assert.False(stream.CanRead);
            byte[] sent = new byte[4];
            Assert.Equal(4, peer.Receive(sent));
            Assert.True(SeesTheEnd(peer));
        }
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void Dispose_OffTheLoopThread_ThenClosingTheLoopBeforeItRuns_ClosesTheSocket(string selector)
    {
        var loop = SelectorLoops.New(selector);
        var (stream, peer) = Pair(loop);
        using (peer)
        {
            stream.Dispose();

            loop.Close();

            Assert.True(SeesTheEnd(peer));
        }
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task ReadAsync_AfterTheLoopClosed_FailsWithObjectDisposed_AndDisposeStillClosesTheSocket(string selector)
    {
        var loop = SelectorLoops.New(selector);
        var (stream, peer) = Pair(loop);
        using (peer)
        {
            loop.Close();

            await Assert.ThrowsAsync<ObjectDisposedException>(() => stream.ReadAsync(new byte[16]).AsTask().WaitAsync(Patience));
            stream.Dispose();
            Assert.True(SeesTheEnd(peer));
        }
    }
}
