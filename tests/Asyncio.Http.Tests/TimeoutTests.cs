using System.Net;
using System.Net.Sockets;

namespace Asyncio.Http.Tests;

/// <summary>Total, connect and sock-read timeouts, each raising its <see cref="TimeoutException"/>.</summary>
public sealed class TimeoutTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public void TotalTimeout_CoversReadingTheBody() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        // Generous enough for a cold first request to get its headers; the server then pauses for 10 s.
        await using var session = new ClientSession(new ClientSessionOptions { Timeout = new ClientTimeout(total: 3) });
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        await using ClientResponse resp = await session.GetAsync(server.Url + "slow-body?key=" + key);
        var error = await Assert.ThrowsAsync<TimeoutException>(async () => await resp.ReadAsync());
        Assert.IsNotAssignableFrom<ServerTimeoutError>(error);
        Assert.InRange(HttpLoop.Since(start), 2.8, 9.5);
        await server.AbortedFor(key).Task.WaitAsync(TimeSpan.FromSeconds(10));
    });

    [Fact]
    public void TotalTimeout_CoversWaitingForTheHeaders() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { Timeout = new ClientTimeout(total: 0.3) });
        var error = await Assert.ThrowsAsync<TimeoutException>(async () => await session.GetAsync(server.Url + "hang?key=" + TestServer.NewKey()));
        Assert.IsNotAssignableFrom<ServerTimeoutError>(error);
    });

    [Fact]
    public void RequestTimeout_OverridesTheSessionTimeout() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { Timeout = new ClientTimeout(total: 60) });
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        await Assert.ThrowsAsync<TimeoutException>(async () =>
            await session.GetAsync(server.Url + "hang?key=" + TestServer.NewKey(), new RequestOptions { Timeout = new ClientTimeout(total: 0.3) }));
        Assert.InRange(HttpLoop.Since(start), 0.2, 10);
    });

    [Fact]
    public void SockReadTimeout_ExpiresWhileWaitingForTheHeaders() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { Timeout = new ClientTimeout(sockRead: 0.3) });
        await Assert.ThrowsAsync<SocketTimeoutError>(async () => await session.GetAsync(server.Url + "hang?key=" + TestServer.NewKey()));
    });

    [Fact]
    public void SockReadTimeout_ExpiresBetweenBodyChunks() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { Timeout = new ClientTimeout(sockRead: 3) });
        await using ClientResponse resp = await session.GetAsync(server.Url + "slow-body?key=" + TestServer.NewKey());
        Assert.Equal("first"u8.ToArray(), await resp.Content.ReadAsync(100));
        await Assert.ThrowsAsync<SocketTimeoutError>(async () => await resp.Content.ReadAsync(100));
    });

    [Fact]
    public void SockReadTimeout_IsRestartedByEachChunk() => HttpLoop.Run(async () =>
    {
        // Chunks keep coming within the read timeout, so a slow but steady body is read to its end.
        await using var session = new ClientSession(new ClientSessionOptions { Timeout = new ClientTimeout(sockRead: 5) });
        string key = TestServer.NewKey();
        await using ClientResponse resp = await session.GetAsync(server.Url + "gated?key=" + key);
        server.GateFor(key).SetResult();
        Assert.Equal(65 * 65536, (await resp.ReadAsync()).Length);
    });

    [Fact]
    public void ConnectTimeout_CoversTheWaitForAConnectionSlot() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { Limit = 1, Timeout = new ClientTimeout(connect: 0.3) });
        await using ClientResponse held = await session.GetAsync(server.Url + "text");   // holds the only slot: body unread
        await Assert.ThrowsAsync<ConnectionTimeoutError>(async () => await session.GetAsync(server.Url + "text"));
        held.Release();
        await using ClientResponse next = await session.GetAsync(server.Url + "text");
        Assert.Equal("hello", await next.TextAsync());
    });

    [Fact]
    public void TotalTimeout_ExpiringDuringTheSlotWait_IsTheTotalOne() => HttpLoop.Run(async () =>
    {
        // The first request holds the only slot, with no deadline of its own (a loaded machine may be slow to answer it).
        await using var session = new ClientSession(new ClientSessionOptions { Limit = 1 });
        await using ClientResponse held = await session.GetAsync(server.Url + "text");
        var waiting = new RequestOptions { Timeout = new ClientTimeout(total: 0.3, connect: 10) };
        var error = await Assert.ThrowsAsync<TimeoutException>(async () => await session.GetAsync(server.Url + "text", waiting));
        Assert.IsNotAssignableFrom<ServerTimeoutError>(error);
    });

    [Fact]
    public void ConnectTimeout_CoversTheTcpConnect() => HttpLoop.Run(async () =>
    {
        // A listener whose backlog is full and that never accepts: the kernel drops further SYNs, so a connect hangs.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var fillers = new List<Socket>();
        try
        {
            while (fillers.Count < 16)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
                try
                {
                    await filler.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            await using var session = new ClientSession(new ClientSessionOptions { Timeout = new ClientTimeout(connect: 0.3) });
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            await Assert.ThrowsAsync<ConnectionTimeoutError>(async () => await session.GetAsync($"http://127.0.0.1:{port}/"));
            Assert.InRange(HttpLoop.Since(start), 0.2, 10);
        }
        finally
        {
            foreach (Socket filler in fillers) filler.Dispose();
        }
    });
}
