using System.Net.Sockets;
using Asyncio.Tests.Selectors;
using static Asyncio.Tests.Sockets.SocketStreamFixtures;

namespace Asyncio.Tests.Sockets;

/// <summary>
/// <see cref="LoopSocketStream"/> from the threads that use it: coroutines on the loop, thread-pool threads (one
/// reading while another writes), blocking callers, and callers that start before the loop runs.
/// </summary>
public class LoopSocketStreamThreadTests
{
    public static TheoryData<string> Selectors() => SocketStreamFixtures.Selectors();

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task ReadAsync_StartedWhileTheLoopIsIdle_IsServedOnlyOnceTheLoopRuns(string selector)
    {
        var loop = SelectorLoops.New(selector);
        var (stream, peer) = Pair(loop);
        using (stream)
        using (peer)
        {
            byte[] buffer = new byte[16];
            Task<int> read = stream.ReadAsync(buffer).AsTask();
            peer.Send("idle"u8);
            await Task.Delay(Moment);
            Assert.False(read.IsCompleted);

            int n = SelectorLoops.Run(loop, async () => await read);

            Assert.Equal(4, n);
            Assert.Equal("idle"u8.ToArray(), buffer[..4]);
        }
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void ReadAsync_AwaitedByACoroutineOnTheLoop_WaitsForThePeer_AndResumesItOnTheLoop(string selector)
    {
        var loop = SelectorLoops.New(selector);
        var (stream, peer) = Pair(loop);
        peer.Blocking = false;
        using (stream)
        using (peer)
        {
            var (text, onTheLoop) = SelectorLoops.Run(loop, async () =>
            {
                int loopThread = Environment.CurrentManagedThreadId;
                AioTask sender = Aio.CreateTask(SendLater(loop, peer, "later"));
                byte[] buffer = new byte[16];
                int n = await stream.ReadAsync(buffer);
                await sender;
                return (System.Text.Encoding.ASCII.GetString(buffer, 0, n), Environment.CurrentManagedThreadId == loopThread);
            });

            Assert.Equal("later", text);
            Assert.True(onTheLoop);
        }
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void ReadAsync_AwaitedOnTheLoop_CancelledThere_ThrowsOperationCanceled_AndTheNextReadGetsTheData(string selector)
    {
        var loop = SelectorLoops.New(selector);
        var (stream, peer) = Pair(loop);
        peer.Blocking = false;
        using (stream)
        using (peer)
        using (var cancel = new CancellationTokenSource())
        {
            var (cancelled, text) = SelectorLoops.Run(loop, async () =>
            {
                loop.CallLater(0.05, cancel.Cancel);
                byte[] buffer = new byte[16];
                bool cancelled = false;
                try
                {
                    int unexpected = await stream.ReadAsync(buffer, cancel.Token);
                    Assert.Fail($"the cancelled read gave {unexpected} bytes");
                }
                catch (OperationCanceledException)
                {
                    cancelled = true;
                }
                await SendLater(loop, peer, "next");
                int n = await stream.ReadAsync(buffer);
                return (cancelled, System.Text.Encoding.ASCII.GetString(buffer, 0, n));
            });

            Assert.True(cancelled);
            Assert.Equal("next", text);
        }
    }

    /// <summary>Sends <paramref name="text"/> from the non-blocking <paramref name="peer"/> after a short sleep on the loop.</summary>
    private static async Coroutine SendLater(EventLoop loop, Socket peer, string text)
    {
        await Aio.Sleep(0.05);
        await loop.SockSendallAsync(peer, System.Text.Encoding.ASCII.GetBytes(text));
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task ReadsAndWrites_FromThreadPoolThreads_Complete(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            Task<string> exchange = Task.Run(async () =>
            {
                await stream.WriteAsync("ping"u8.ToArray());
                byte[] buffer = new byte[16];
                int n = await stream.ReadAsync(buffer);
                return System.Text.Encoding.ASCII.GetString(buffer, 0, n);
            });

            Assert.Equal("ping"u8.ToArray(), Receive(peer, 4));
            peer.Send("pong"u8);

            Assert.Equal("pong", await exchange.WaitAsync(Patience));
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task AReadAndAWriteAtOnce_FullDuplex_AgainstAnEchoingPeer_DeliverEveryByte(string selector) =>
        // More than the buffers hold in both directions: the write finishes only because the read drains the echo.
        OnAPair(selector, async (running, stream, peer) =>
        {
            Task echo = Task.Factory.StartNew(() =>
            {
                byte[] chunk = new byte[64 * 1024];
                int n;
                while ((n = peer.Receive(chunk)) > 0) peer.Send(chunk, 0, n, SocketFlags.None);
                peer.Shutdown(SocketShutdown.Send);
            }, TaskCreationOptions.LongRunning);
            Task write = Task.Run(async () =>
            {
                await stream.WriteAsync(Large);
                stream.Socket.Shutdown(SocketShutdown.Send);
            });
            Task<byte[]> read = Task.Run(async () =>
            {
                var all = new MemoryStream();
                await stream.CopyToAsync(all);
                return all.ToArray();
            });

            await Task.WhenAll(echo, write, read).WaitAsync(Patience * 2);

            byte[] echoed = await read;
            Assert.True(Large.AsSpan().SequenceEqual(echoed));
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task SyncReadAndWrite_OnTheLoopThread_ThrowInvalidOperation(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            Exception? read = await running.OnLoop(() => Record.Exception(() => stream.Read(new byte[16], 0, 16)));
            Exception? write = await running.OnLoop(() => Record.Exception(() => stream.Write("x"u8.ToArray(), 0, 1)));

            Assert.IsType<InvalidOperationException>(read);
            Assert.IsType<InvalidOperationException>(write);
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task SyncReadAndWrite_FromAnotherThread_BlockUntilDone(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            Task<int> read = Task.Factory.StartNew(() => stream.Read(new byte[16], 0, 16), TaskCreationOptions.LongRunning);
            await Task.Delay(Moment);
            Assert.False(read.IsCompleted);

            peer.Send("12345"u8);

            Assert.Equal(5, await read.WaitAsync(Patience));
            Task write = Task.Factory.StartNew(() => stream.Write(Large, 0, Large.Length), TaskCreationOptions.LongRunning);
            Assert.True(Large.AsSpan().SequenceEqual(Receive(peer, Large.Length)));
            await write.WaitAsync(Patience);
        });
}
