using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Asyncio.Tests.Selectors;
using Asyncio.Tests.Subprocesses;
using Asyncio.Tests.Tls;
using static Asyncio.Tests.Sockets.SocketStreamFixtures;

namespace Asyncio.Tests.Sockets;

/// <summary>
/// <see cref="EventLoop.ConnectSocketStreamAsync"/> from the threads that call it (the thread pool, the loop itself),
/// and a .NET library layered on the stream: <see cref="SslStream"/>'s handshake and records over the loop's selector.
/// </summary>
public class LoopSocketStreamConnectTests
{
    public static TheoryData<string> Selectors() => SocketStreamFixtures.Selectors();

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task ConnectSocketStreamAsync_ToAnIPEndPoint_FromTheThreadPool_GivesAWorkingStream(string selector)
    {
        using var running = new LoopOnItsOwnThread(selector);
        using Socket listener = Listener();

        using LoopSocketStream stream = await Task.Run(() => running.Loop.ConnectSocketStreamAsync(listener.LocalEndPoint!)).WaitAsync(Patience);

        await AssertEchoes(stream, listener);
        Assert.True(stream.Socket.NoDelay);
        Assert.Same(running.Loop, stream.Loop);
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task ConnectSocketStreamAsync_ToADnsEndPoint_ResolvesLocalhost_AndConnects(string selector)
    {
        using var running = new LoopOnItsOwnThread(selector);
        using Socket listener = Listener();
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        // localhost may resolve to ::1 first, where nothing listens: the next address is tried.
        using LoopSocketStream stream = await Task.Run(() => running.Loop.ConnectSocketStreamAsync(new DnsEndPoint("localhost", port))).WaitAsync(Patience);

        await AssertEchoes(stream, listener);
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void ConnectSocketStreamAsync_AwaitedOnTheLoop_GivesAWorkingStream(string selector)
    {
        using Socket listener = SocketPairs.Listener("tcp4");
        var loop = SelectorLoops.New(selector);
        byte[] reply = SelectorLoops.Run(loop, async () =>
        {
            using LoopSocketStream stream = await loop.ConnectSocketStreamAsync(listener.LocalEndPoint!);
            var (accepted, _) = await loop.SockAcceptAsync(listener);
            using (accepted)
            {
                await loop.SockSendallAsync(accepted, "from the server"u8.ToArray());
                byte[] buffer = new byte[15];
                await stream.ReadExactlyAsync(buffer);
                return buffer;
            }
        }, limitSeconds: 60);

        Assert.Equal("from the server"u8.ToArray(), reply);
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task ConnectSocketStreamAsync_ToAPortWithNoListener_ThrowsConnectionRefused(string selector)
    {
        using var running = new LoopOnItsOwnThread(selector);
        // Bound but not listening: the port stays ours, and a connection to it is refused.
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        var error = await Assert.ThrowsAsync<SocketException>(
            () => Task.Run(() => running.Loop.ConnectSocketStreamAsync(closed.LocalEndPoint!)).WaitAsync(Patience));

        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task ConnectSocketStreamAsync_WithACancelledToken_ThrowsOperationCanceled(string selector)
    {
        using var running = new LoopOnItsOwnThread(selector);
        using Socket listener = Listener();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => running.Loop.ConnectSocketStreamAsync(listener.LocalEndPoint!, new CancellationToken(canceled: true)).WaitAsync(Patience));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => running.Loop.ConnectSocketStreamAsync(new DnsEndPoint("localhost", 1), new CancellationToken(canceled: true)).WaitAsync(Patience));
    }

    [LinuxTheory]
    [MemberData(nameof(Selectors))]
    public async Task ConnectSocketStreamAsync_CancelledWhileTheConnectWaits_ThrowsOperationCanceled(string selector)
    {
        using var running = new LoopOnItsOwnThread(selector);
        // Linux drops the handshakes a listener with a full accept queue gets: a connect to it waits.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        using var queued = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        queued.Connect(listener.LocalEndPoint!);
        using var cancel = new CancellationTokenSource();

        Task<LoopSocketStream> connect = Task.Run(() => running.Loop.ConnectSocketStreamAsync(listener.LocalEndPoint!, cancel.Token));
        await Task.Delay(Moment * 2);
        Assert.False(connect.IsCompleted);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connect.WaitAsync(Patience));
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task ConnectSocketStreamAsync_ToAnUnsupportedEndPoint_ThrowsArgumentException(string selector)
    {
        using var running = new LoopOnItsOwnThread(selector);

        await Assert.ThrowsAsync<ArgumentException>(
            () => running.Loop.ConnectSocketStreamAsync(new UnixDomainSocketEndPoint("/nonexistent")).WaitAsync(Patience));
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public async Task SslStream_OverLoopSocketStreams_HandshakesAndEchoes_WithASelfSignedCertificate(string selector)
    {
        using var running = new LoopOnItsOwnThread(selector);
        var (a, b) = SocketPairs.Connected();
        using var client = new SslStream(running.Loop.CreateSocketStream(a));
        using var server = new SslStream(running.Loop.CreateSocketStream(b));

        await Task.WhenAll(
            client.AuthenticateAsClientAsync(TlsFixtures.TrustingClient()),
            server.AuthenticateAsServerAsync(TlsFixtures.ServerOptions())).WaitAsync(Patience);
        Task echo = Task.Run(async () =>
        {
            byte[] buffer = new byte[4096];
            while (await server.ReadAsync(buffer) is > 0 and int n) await server.WriteAsync(buffer.AsMemory(0, n));
            await server.ShutdownAsync();
        });
        byte[] message = Pattern(100_000);
        await client.WriteAsync(message).AsTask().WaitAsync(Patience);
        byte[] back = new byte[message.Length];
        await client.ReadExactlyAsync(back).AsTask().WaitAsync(Patience);
        await client.ShutdownAsync().WaitAsync(Patience);

        Assert.True(message.AsSpan().SequenceEqual(back));
        Assert.Equal(0, await client.ReadAsync(new byte[1]).AsTask().WaitAsync(Patience));
        await echo.WaitAsync(Patience);
        Assert.True(client.IsAuthenticated && client.IsEncrypted);
    }

    [Theory]
    [MemberData(nameof(Selectors))]
    public void SslStream_DrivenByACoroutineOnTheLoop_HandshakesAndEchoes(string selector)
    {
        var loop = SelectorLoops.New(selector);
        var (a, b) = SocketPairs.Connected();
        b.Blocking = true;
        using var serverSide = new SslStream(new NetworkStream(b, ownsSocket: true));
        Task server = Task.Run(async () =>
        {
            await serverSide.AuthenticateAsServerAsync(TlsFixtures.ServerOptions());
            byte[] buffer = new byte[4096];
            while (await serverSide.ReadAsync(buffer) is > 0 and int n) await serverSide.WriteAsync(buffer.AsMemory(0, n));
        });

        string reply = SelectorLoops.Run(loop, async () =>
        {
            byte[] buffer = new byte[21];
            await using (var client = new SslStream(loop.CreateSocketStream(a)))
            {
                await client.AuthenticateAsClientAsync(TlsFixtures.TrustingClient());
                await client.WriteAsync("over TLS, on the loop"u8.ToArray());
                await client.ReadExactlyAsync(buffer);
            }
            // The client's close ends the server's echo.
            await server.WaitAsync(Patience);
            return TlsFixtures.S(buffer);
        }, limitSeconds: 60);

        Assert.Equal("over TLS, on the loop", reply);
    }

    /// <summary>A blocking TCP listener on IPv4 loopback.</summary>
    private static Socket Listener()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        return listener;
    }

    /// <summary>Accepts the stream's connection on <paramref name="listener"/> and checks bytes go both ways.</summary>
    private static async Task AssertEchoes(LoopSocketStream stream, Socket listener)
    {
        using Socket accepted = listener.Accept();
        accepted.ReceiveTimeout = (int)Patience.TotalMilliseconds;
        await stream.WriteAsync("ping"u8.ToArray()).AsTask().WaitAsync(Patience);
        Assert.Equal("ping"u8.ToArray(), Receive(accepted, 4));
        accepted.Send("pong"u8);
        byte[] buffer = new byte[4];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Patience);
        Assert.Equal("pong"u8.ToArray(), buffer);
    }
}
