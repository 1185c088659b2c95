namespace Asyncio.Http.Tests;

/// <summary>
/// Bodies read on the loop from its own selector: whole-body reads, partial reads and IterChunkedAsync. The bytes
/// arrive whole and in order, timeouts and cancellation reach the read, every await resumes on the loop thread,
/// and a session works on every kind of loop selector.
/// </summary>
public sealed class BodyReadingTests(TestServer server) : IClassFixture<TestServer>
{
    private const int Large = 3_000_000;

    [Fact]
    public void ReadAsync_GivesTheWholeBodyInOrder() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "pattern/" + Large);
        Assert.Equal(TestServer.Pattern(Large), await resp.ReadAsync());
        Assert.True(resp.Content.AtEof);
    });

    [Fact]
    public void IterChunkedAsync_YieldsEveryByteInOrder() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "pattern/" + Large);
        using var body = new MemoryStream();
        await foreach (byte[] chunk in resp.Content.IterChunkedAsync(10_000))
        {
            Assert.InRange(chunk.Length, 1, 10_000);
            body.Write(chunk);
        }
        Assert.Equal(TestServer.Pattern(Large), body.ToArray());
        Assert.True(resp.Content.AtEof);
    });

    [Fact]
    public void ReadAsync_AfterPartialReads_GivesTheRest() => HttpLoop.Run(async () =>
    {
        // The read-ahead has pieces queued by then: they come first, then what is still on the network.
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "pattern/" + Large);
        using var body = new MemoryStream();
        body.Write(await resp.Content.ReadAsync(7));
        await foreach (byte[] chunk in resp.Content.IterChunkedAsync(100_000))
        {
            body.Write(chunk);
            break;
        }
        body.Write(await resp.ReadAsync());
        Assert.Equal(TestServer.Pattern(Large), body.ToArray());
    });

    [Fact]
    public void EveryAwait_ResumesOnTheLoopThread() => HttpLoop.Run(async () =>
    {
        int loopThread = Environment.CurrentManagedThreadId;
        await using var session = new ClientSession();
        await using (ClientResponse resp = await session.GetAsync(server.Url + "pattern/" + Large))
        {
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
            await foreach (byte[] chunk in resp.Content.IterChunkedAsync(65536))
            {
                Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
            }
        }
        await using (ClientResponse resp = await session.GetAsync(server.Url + "pattern/" + Large))
        {
            await resp.ReadAsync();
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
        }
        await using (ClientResponse resp = await session.GetAsync(server.Url + "json"))
        {
            await resp.JsonAsync<TestServer.Item>();
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
        }
    });

    [Fact]
    public void ReadAsync_SockReadTimeout_FiresDuringAWholeBodyRead() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession(new ClientSessionOptions { Timeout = new ClientTimeout(sockRead: 3) });
        await using ClientResponse resp = await session.GetAsync(server.Url + "slow-body?key=" + key);
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        await Assert.ThrowsAsync<SocketTimeoutError>(async () => await resp.ReadAsync());
        Assert.InRange(HttpLoop.Since(start), 2.5, 9.5);
        await server.AbortedFor(key).Task.WaitAsync(TimeSpan.FromSeconds(10));
    });

    [Fact]
    public void IterChunkedAsync_Cancel_WhileWaitingForTheNextChunk_ClosesTheConnection() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "slow-body?key=" + key);
        Future<bool> first = Aio.GetRunningLoop().CreateFuture<bool>();
        AioTask<int> read = Aio.CreateTask(CountChunks(resp, first));
        await first;
        await Aio.Sleep(0.1);
        read.Cancel();
        await Assert.ThrowsAsync<CancelledError>(async () => await read);
        await server.AbortedFor(key).Task.WaitAsync(TimeSpan.FromSeconds(10));

        static async Coroutine<int> CountChunks(ClientResponse resp, Future<bool> first)
        {
            int n = 0;
            await foreach (byte[] chunk in resp.Content.IterChunkedAsync(1024))
            {
                if (n++ == 0) first.SetResult(true);
            }
            return n;
        }
    });

    [Fact]
    public void IterChunkedAsync_SockReadTimeout_FiresWhileWaitingForTheNextChunk() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { Timeout = new ClientTimeout(sockRead: 3) });
        await using ClientResponse resp = await session.GetAsync(server.Url + "slow-body?key=" + TestServer.NewKey());
        await Assert.ThrowsAsync<SocketTimeoutError>(async () =>
        {
            await foreach (byte[] chunk in resp.Content.IterChunkedAsync(1024)) Assert.Equal("first"u8.ToArray(), chunk);
        });
    });

    [Fact]
    public void Release_BeforeTheEndOfTheBody_FreesTheConnectionSlot() => HttpLoop.Run(async () =>
    {
        // Limit 1: the second request gets the slot only if leaving the loop early released the first response.
        await using var session = new ClientSession(new ClientSessionOptions { Limit = 1, Timeout = new ClientTimeout(total: 10) });
        await using (ClientResponse resp = await session.GetAsync(server.Url + "pattern/" + Large))
        {
            await foreach (byte[] chunk in resp.Content.IterChunkedAsync(4096)) break;
        }
        await using ClientResponse next = await session.GetAsync(server.Url + "pattern/" + Large);
        Assert.Equal(TestServer.Pattern(Large), await next.ReadAsync());
    });

    [Fact]
    public void ReadAsync_OnAVirtualTimeLoop_ReadsTheBodyWhileTimersWait() => HttpLoop.Run(async () =>
    {
        // A loop sleep beside the read: the body still arrives whole, and the sleep still ends.
        await using var session = new ClientSession();
        AioTask sleeper = Aio.CreateTask(Aio.Sleep(3600));
        await using ClientResponse resp = await session.GetAsync(server.Url + "pattern/" + Large);
        using var body = new MemoryStream();
        await foreach (byte[] chunk in resp.Content.IterChunkedAsync(65536)) body.Write(chunk);
        Assert.Equal(TestServer.Pattern(Large), body.ToArray());
        await sleeper;
    }, loop: Aio.NewEventLoop(virtualTime: true));

    [Theory]
    [InlineData("epoll")]
    [InlineData("portable")]
    [InlineData("wait")]
    public void Get_OnEachSelector_ReadsTheWholeBody(string selector) => HttpLoop.Run(async () =>
    {
        // The plain wait cannot watch sockets: the session then falls back to .NET's own socket engine.
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "pattern/" + Large);
        Assert.Equal(TestServer.Pattern(Large), await resp.ReadAsync());
    }, loop: new EventLoop(TimeProvider.System, selector switch
    {
        "epoll" => SelectorKind.Epoll,
        "portable" => SelectorKind.Portable,
        _ => SelectorKind.Wait,
    }));

    [Fact]
    public void ConcurrentReads_OfOneBody_AreRefused() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "slow-body?key=" + key);
        await resp.Content.ReadAsync(5);
        AioTask<byte[]> first = Aio.CreateTask(resp.Content.ReadAsync(100));
        await Aio.Sleep(0.05);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await resp.Content.ReadAsync(100));
        first.Cancel();
        await Assert.ThrowsAsync<CancelledError>(async () => await first);
    });

    [Fact]
    public void ReadIntoAsync_FillsTheCallersBuffer_UntilTheEnd() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "pattern/" + Large);
        byte[] buffer = new byte[10_000];
        using var body = new MemoryStream();
        int read;
        while ((read = await resp.Content.ReadIntoAsync(buffer)) > 0)
        {
            Assert.InRange(read, 1, buffer.Length);
            body.Write(buffer, 0, read);
        }
        Assert.Equal(TestServer.Pattern(Large), body.ToArray());
        Assert.True(resp.Content.AtEof);
        Assert.Equal(0, await resp.Content.ReadIntoAsync(buffer));
    });

    [Fact]
    public void ReadIntoAsync_AfterAPartialRead_GivesTheRestInOrder() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "pattern/" + Large);
        using var body = new MemoryStream();
        body.Write(await resp.Content.ReadAsync(100));
        byte[] buffer = new byte[65536];
        int read;
        while ((read = await resp.Content.ReadIntoAsync(buffer)) > 0) body.Write(buffer, 0, read);
        Assert.Equal(TestServer.Pattern(Large), body.ToArray());
    });

    [Fact]
    public void ReadIntoAsync_EmptyBuffer_IsRefused() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "pattern/10");
        // Refused at the call, as Stream.ReadAsync refuses bad arguments, not when awaited.
        ArgumentException? refused = null;
        try
        {
            _ = resp.Content.ReadIntoAsync(Memory<byte>.Empty).AsTask();
        }
        catch (ArgumentException error)
        {
            refused = error;
        }
        Assert.NotNull(refused);
    });

    [Fact]
    public void SockReadTimeout_DoesNotRunWhileNoReadWaits() => HttpLoop.Run(async () =>
    {
        // aiohttp's sock_read bounds each wait for data: the time the caller takes before reading is not counted.
        await using var session = new ClientSession(new ClientSessionOptions { Timeout = new ClientTimeout(sockRead: 2) });
        await using ClientResponse resp = await session.GetAsync(server.Url + "pattern/10");
        await Aio.Sleep(3);
        Assert.Equal(10, (await resp.ReadAsync()).Length);
    });

    [Fact]
    public void ReadIntoAsync_SockReadTimeout_FiresWhileWaitingForTheNextBytes() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { Timeout = new ClientTimeout(sockRead: 3) });
        await using ClientResponse resp = await session.GetAsync(server.Url + "slow-body?key=" + TestServer.NewKey());
        byte[] buffer = new byte[1024];
        int received = 0;
        while (received < 5) received += await resp.Content.ReadIntoAsync(buffer.AsMemory(received));
        Assert.Equal("first"u8.ToArray(), buffer[..5]);
        await Assert.ThrowsAsync<SocketTimeoutError>(async () => await resp.Content.ReadIntoAsync(buffer));
    });
}
