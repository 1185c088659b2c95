using System.Net.Sockets;
using Asyncio.Tests.Selectors;

namespace Asyncio.Tests.Sockets;

/// <summary>
/// What the <see cref="LoopSocketStream"/> tests share: a loop running on a thread of its own (the stream's callers
/// are other threads), a stream over one end of a loopback pair with a plain blocking socket as the other end, and
/// ways to wait that fail instead of hanging.
/// </summary>
internal static class SocketStreamFixtures
{
    /// <summary>Generous: every wait crosses threads on two cores shared with other builds.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Long enough for a wrong early completion to show, short enough to keep the tests quick.</summary>
    public static readonly TimeSpan Moment = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Far more than loopback's send and receive buffers hold together, even grown by autotuning: a write of it
    /// waits for the peer to read. Shared by the tests, which only read it.
    /// </summary>
    public static readonly byte[] Large = Pattern(24 * 1024 * 1024);

    /// <summary>The selectors that watch descriptors, as theory data.</summary>
    public static TheoryData<string> Selectors() => SelectorLoops.WithIo();

    /// <summary>
    /// A stream on <paramref name="loop"/> over one end of a loopback pair (TCP unless <paramref name="kind"/> says), and the other end: blocking, with
    /// timeouts, so that a byte that never comes fails the test instead of hanging it.
    /// </summary>
    public static (LoopSocketStream Stream, Socket Peer) Pair(EventLoop loop, string kind = "tcp4")
    {
        var (mine, peer) = SocketPairs.Connected(kind);
        peer.Blocking = true;
        peer.ReceiveTimeout = peer.SendTimeout = (int)Patience.TotalMilliseconds;
        return (loop.CreateSocketStream(mine), peer);
    }

    /// <summary>
    /// Runs <paramref name="body"/> with a loop on a thread of its own and a stream on it over a pair of
    /// <paramref name="kind"/>, with the pair's other end; all closed afterwards.
    /// </summary>
    public static async Task OnAPair(string selector, Func<LoopOnItsOwnThread, LoopSocketStream, Socket, Task> body, string kind = "tcp4")
    {
        using var running = new LoopOnItsOwnThread(selector);
        var (stream, peer) = Pair(running.Loop, kind);
        using (stream)
        using (peer)
        {
            await body(running, stream, peer);
        }
    }

    /// <summary>Bytes that differ from their neighbours, so a lost, doubled or reordered chunk shows.</summary>
    public static byte[] Pattern(int size)
    {
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) data[i] = (byte)(i * 7 + (i >> 16));
        return data;
    }

    /// <summary>Receives exactly <paramref name="count"/> bytes from the blocking <paramref name="peer"/>.</summary>
    public static byte[] Receive(Socket peer, int count)
    {
        byte[] data = new byte[count];
        for (int got = 0; got < count;)
        {
            int n = peer.Receive(data, got, count - got, SocketFlags.None);
            if (n == 0) throw new EndOfStreamException($"the stream's side closed after {got} of {count} bytes");
            got += n;
        }
        return data;
    }

    /// <summary>True when <paramref name="peer"/> reads the end of the stream (or a reset): its other end was closed.</summary>
    public static bool SeesTheEnd(Socket peer)
    {
        try
        {
            return peer.Receive(new byte[1]) == 0;
        }
        catch (SocketException error) when (error.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    /// <summary>Closes <paramref name="peer"/> with a reset (linger 0) instead of an orderly end of stream.</summary>
    public static void Reset(Socket peer)
    {
        peer.LingerState = new LingerOption(true, 0);
        peer.Close();
    }

    /// <summary>
    /// Starts <paramref name="operation"/> and gives the task of its outcome, whether it throws at once (as the
    /// checks before any wait do) or fails later.
    /// </summary>
    public static Task Started(Func<ValueTask> operation)
    {
        try
        {
            return operation().AsTask();
        }
        catch (Exception error)
        {
            return Task.FromException(error);
        }
    }

    /// <summary>
    /// Awaits <paramref name="operation"/> as library code does (no context captured) and gives the thread its
    /// continuation ran on: for an operation that had to wait, the thread that completed it.
    /// </summary>
    public static async Task<(T Result, int Thread)> ContinuedOn<T>(ValueTask<T> operation)
    {
        T result = await operation.ConfigureAwait(false);
        return (result, Environment.CurrentManagedThreadId);
    }

    /// <inheritdoc cref="ContinuedOn{T}(ValueTask{T})"/>
    public static async Task<int> ContinuedOn(ValueTask operation)
    {
        await operation.ConfigureAwait(false);
        return Environment.CurrentManagedThreadId;
    }

    /// <inheritdoc cref="Started(Func{ValueTask})"/>
    public static Task<T> Started<T>(Func<ValueTask<T>> operation)
    {
        try
        {
            return operation().AsTask();
        }
        catch (Exception error)
        {
            return Task.FromException<T>(error);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling; fails after <see cref="Patience"/>.</summary>
    public static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition never held");
            await Task.Delay(5);
        }
    }
}

/// <summary>
/// An event loop running forever on a thread of its own, as the loop of an application that hands its socket
/// streams to code on other threads. Disposing stops it, waits for its thread, and closes it.
/// </summary>
internal sealed class LoopOnItsOwnThread : IDisposable
{
    private readonly Thread _thread;

    public LoopOnItsOwnThread(string selector)
    {
        Loop = SelectorLoops.New(selector);
        _thread = new Thread(Loop.RunForever) { Name = "loop", IsBackground = true };
        _thread.Start();
    }

    /// <summary>The loop (real time).</summary>
    public EventLoop Loop { get; }

    /// <summary>The managed thread id of the loop's thread.</summary>
    public int ThreadId => _thread.ManagedThreadId;

    /// <summary>Runs <paramref name="action"/> on the loop thread and gives its result (or what it threw).</summary>
    public Task<T> OnLoop<T>(Func<T> action)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Loop.CallSoonThreadsafe(() =>
        {
            try
            {
                done.SetResult(action());
            }
            catch (Exception error)
            {
                done.SetException(error);
            }
        });
        return done.Task.WaitAsync(SocketStreamFixtures.Patience);
    }

    /// <inheritdoc cref="OnLoop{T}(Func{T})"/>
    public Task OnLoop(Action action) => OnLoop(() => { action(); return 0; });

    /// <summary>Stops the loop and waits for its thread; the loop stays open (as after <c>run_forever</c> returns).</summary>
    public void Stop()
    {
        if (!Loop.IsClosed && _thread.IsAlive) Loop.CallSoonThreadsafe(Loop.Stop);
        Assert.True(_thread.Join(SocketStreamFixtures.Patience), "the loop thread did not stop");
    }

    public void Dispose()
    {
        Stop();
        Loop.Close();
    }
}
