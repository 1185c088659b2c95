using System.Net;
using System.Net.Sockets;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Selectors;

namespace Asyncio.Tests.Sockets;

/// <summary>
/// asyncio's low-level socket methods (<c>loop.sock_recv</c>, <c>sock_sendall</c>, ...) on loopback sockets: the
/// behaviours of CPython's <c>test_sock_lowlevel.py</c>, and errors that must surface rather than hang.
/// </summary>
public class SockLowLevelTests
{
    public static TheoryData<string> Kinds() => SocketPairs.Kinds();

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Echo_RoundTrip_AcceptConnectSendallRecv(string kind)
    {
        if (!OperatingSystem.IsLinux()) return;
        using Socket listener = SocketPairs.Listener(kind);
        using Socket client = SocketPairs.ClientFor(listener);
        byte[] reply = SelectorLoops.Run(SelectorLoops.NewEpoll(), async () =>
        {
            var loop = Aio.GetRunningLoop();
            AioTask server = Aio.CreateTask(Echo(loop, listener));
            await loop.SockConnectAsync(client, listener.LocalEndPoint!);
            await loop.SockSendallAsync(client, "hello, loop"u8.ToArray());
            client.Shutdown(SocketShutdown.Send);
            byte[] all = await ReadToEnd(loop, client);
            await server;
            return all;
        });
        Assert.Equal("hello, loop"u8.ToArray(), reply);
    }

    /// <summary>Accepts one connection and sends back what it receives until end of stream.</summary>
    private static async Coroutine Echo(EventLoop loop, Socket listener)
    {
        var (connection, _) = await loop.SockAcceptAsync(listener);
        using (connection)
        {
            while (await loop.SockRecvAsync(connection, 1024) is { Length: > 0 } data)
            {
                await loop.SockSendallAsync(connection, data);
            }
        }
    }

    private static async Coroutine<byte[]> ReadToEnd(EventLoop loop, Socket socket)
    {
        var all = new List<byte>();
        while (await loop.SockRecvAsync(socket, 65536) is { Length: > 0 } chunk) all.AddRange(chunk);
        return [.. all];
    }

    [LinuxFact]
    public void SockRecvInto_FillsTheBuffer_AndCountsTheBytes()
    {
        byte[] buffer = new byte[16];
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            AioTask<int> first = Aio.CreateTask(loop.SockRecvIntoAsync(b, buffer.AsMemory(0, 4)));
            await Aio.Sleep(0);
            await loop.SockSendallAsync(a, "abcdef"u8.ToArray());
            Assert.Equal(4, await first);
            Assert.Equal(2, await loop.SockRecvAsync(b, buffer.AsMemory(4)));
        });
        Assert.Equal("abcdef"u8.ToArray(), buffer[..6]);
    }

    [LinuxFact]
    public void SockRecv_AtEndOfStream_GivesAnEmptyArray() =>
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            a.Shutdown(SocketShutdown.Send);
            Assert.Empty(await loop.SockRecvAsync(b, 100));
            Assert.Equal(0, await loop.SockRecvIntoAsync(b, new byte[10]));
        });

    [LinuxFact]
    public void SockSendall_TenMegabytes_AgainstASlowReader_WaitsForRoom_AndDeliversEveryByteInOrder()
    {
        const int Size = 10 * 1024 * 1024;
        byte[] data = new byte[Size];
        for (int i = 0; i < Size; i++) data[i] = (byte)(i * 7 + (i >> 16));
        var received = new MemoryStream();
        bool sentBeforeFirstRead = true;
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            AioTask sender = Aio.CreateTask(loop.SockSendallAsync(a, data));
            await Aio.Sleep(0.02);
            // Far more than the kernel's buffers hold: the sender must be waiting on its writer.
            sentBeforeFirstRead = sender.IsDone;
            byte[] chunk = new byte[256 * 1024];
            while (received.Length < Size)
            {
                int n = await loop.SockRecvIntoAsync(b, chunk);
                Assert.NotEqual(0, n);
                received.Write(chunk, 0, n);
                await Aio.Sleep(0);
            }
            await sender;
        }, limitSeconds: 60);
        Assert.False(sentBeforeFirstRead);
        Assert.True(data.AsSpan().SequenceEqual(received.ToArray()));
    }

    [LinuxFact]
    public void SockRecv_CancelledBeforeDataArrived_TakesNothing_TheNextRecvGetsTheData() =>
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            AioTask<byte[]> cancelled = Aio.CreateTask(loop.SockRecvAsync(b, 1024));
            await Aio.Sleep(0);
            cancelled.Cancel();
            a.Send("GET / HTTP/1.0\r\n\r\n"u8);
            await Assert.ThrowsAsync<CancelledError>(async () => await cancelled);
            Assert.Equal("GET / HTTP/1.0\r\n\r\n"u8.ToArray(), await loop.SockRecvAsync(b, 1024));
        });

    [LinuxFact]
    public void SockSendall_CancelledWhileBlocked_ThenAnotherSendall_Arrives()
    {
        byte[] tail = [];
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            a.SendBufferSize = 1024;
            // Fill the send buffer until even a few bytes would block.
            while (a.Send(new byte[4096], SocketFlags.None, out SocketError error) > 0 || error == SocketError.Success) { }
            AioTask blocked = Aio.CreateTask(loop.SockSendallAsync(a, "hello"u8.ToArray()));
            await Aio.Sleep(0);
            blocked.Cancel();
            await Assert.ThrowsAsync<CancelledError>(async () => await blocked);

            AioTask<byte[]> reader = Aio.CreateTask(ReadToEnd(loop, b));
            await loop.SockSendallAsync(a, "world"u8.ToArray());
            a.Shutdown(SocketShutdown.Send);
            tail = await reader;
        });
        Assert.EndsWith("world", System.Text.Encoding.ASCII.GetString(tail).TrimEnd('\0'));
    }

    [LinuxFact]
    public void SockRecv_WhenThePeerResets_ThrowsConnectionReset() =>
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            AioTask<byte[]> recv = Aio.CreateTask(loop.SockRecvAsync(b, 1024));
            await Aio.Sleep(0.01);
            a.LingerState = new LingerOption(true, 0);
            a.Close();
            var error = await Assert.ThrowsAsync<SocketException>(async () => await recv);
            Assert.Equal(SocketError.ConnectionReset, error.SocketErrorCode);
        });

    [LinuxFact]
    public void SockSendall_ToAPeerThatReset_FailsInsteadOfHanging() =>
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            b.LingerState = new LingerOption(true, 0);
            b.Close();
            await Aio.Sleep(0.01);
            var error = await Assert.ThrowsAsync<SocketException>(async () =>
            {
                for (int i = 0; i < 100; i++) await loop.SockSendallAsync(a, new byte[65536]);
            });
            Assert.Contains(error.SocketErrorCode, new[] { SocketError.ConnectionReset, SocketError.Shutdown, SocketError.ConnectionAborted });
        });

    [LinuxFact]
    public void SockConnect_ToAClosedPort_FailsWithConnectionRefused()
    {
        // Bound but not listening: connections are refused, and the port stays ours (a closed listener's port could
        // be taken by a test running beside this one).
        using var closed = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closed.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using Socket client = SocketPairs.ClientFor(closed);
        var error = Assert.Throws<SocketException>(() =>
            SelectorLoops.Run(SelectorLoops.NewEpoll(), () => Aio.GetRunningLoop().SockConnectAsync(client, closed.LocalEndPoint!)));
        Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
    }

    [LinuxFact]
    public void SockConnect_ToALocalName_ResolvesItFirst()
    {
        using Socket listener = SocketPairs.Listener("tcp4");
        using Socket client = SocketPairs.ClientFor(listener);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        SelectorLoops.Run(SelectorLoops.NewEpoll(), () => Aio.GetRunningLoop().SockConnectAsync(client, new DnsEndPoint("localhost", port)));
        Assert.True(client.Connected);
        Assert.Equal(port, ((IPEndPoint)client.RemoteEndPoint!).Port);
    }

    [LinuxFact]
    public void SockAccept_GivesANonBlockingConnection_AndThePeersAddress()
    {
        using Socket listener = SocketPairs.Listener("tcp4");
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        var (connection, address) = SelectorLoops.Run(SelectorLoops.NewEpoll(), () => Aio.GetRunningLoop().SockAcceptAsync(listener));
        using (connection)
        {
            Assert.False(connection.Blocking);
            Assert.Equal(client.LocalEndPoint, address);
        }
    }

    [LinuxFact]
    public void SockAccept_CancelledByATimeout_StopsWatchingTheListener()
    {
        Socket listener = SocketPairs.Listener("tcp4");
        var loop = SelectorLoops.NewEpoll();
        Assert.Throws<TimeoutException>(() => loop.RunUntilComplete(Aio.WaitFor(loop.SockAcceptAsync(listener), 0.1)));
        // No reader is left on the listener (asyncio's remove_reader answers whether there was one). Connecting
        // to the closed listener's port would be a weaker check: a test running beside this one may bind it.
        Assert.False(loop.RemoveReader(listener));
        listener.Close();
        loop.Close();
    }

    [LinuxFact]
    public void EveryOperation_RefusesABlockingSocket()
    {
        var loop = SelectorLoops.NewEpoll();
        using var blocking = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.Throws<ArgumentException>(() => loop.SockConnectAsync(blocking, new IPEndPoint(IPAddress.Loopback, 1)));
        Assert.Throws<ArgumentException>(() => loop.SockSendallAsync(blocking, new byte[1]));
        Assert.Throws<ArgumentException>(() => loop.SockRecvAsync(blocking, 1024));
        Assert.Throws<ArgumentException>(() => loop.SockRecvIntoAsync(blocking, new byte[1]));
        Assert.Throws<ArgumentException>(() => loop.SockAcceptAsync(blocking));
        loop.Close();
    }

    [Fact]
    public void Operations_OnALoopWithoutAnIoSelector_ThrowNotSupported()
    {
        var loop = SelectorLoops.New("wait");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
        Assert.Throws<NotSupportedException>(() => loop.SockRecvAsync(socket, 10));
        loop.Close();
    }

    [LinuxFact]
    public void ASecondRecv_WhileOneWaitsOnTheSameSocket_IsRefused() =>
        SocketPairs.RunOnPair(async (loop, a, b) =>
        {
            AioTask<byte[]> first = Aio.CreateTask(loop.SockRecvAsync(b, 10));
            await Aio.Sleep(0);
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await loop.SockRecvAsync(b, 10));
            a.Send("x"u8);
            Assert.Equal("x"u8.ToArray(), await first);
        });
}
