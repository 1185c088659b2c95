namespace Asyncio.Http.Tests;

/// <summary>The body read as it arrives: IterChunkedAsync, partial reads, release.</summary>
public sealed class StreamingTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public void IterChunkedAsync_YieldsTheFirstChunkBeforeTheServerSendsTheRest() => HttpLoop.Run(async () =>
    {
        // The server sends 64 KiB and waits for the gate before sending 4 MiB more: a client that buffered the
        // whole body would never see a chunk before the gate opens.
        string key = TestServer.NewKey();
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "gated?key=" + key);
        long total = 0;
        int chunks = 0;
        await foreach (byte[] chunk in resp.Content.IterChunkedAsync(4096))
        {
            Assert.InRange(chunk.Length, 1, 4096);
            if (chunks++ == 0) server.GateFor(key).SetResult();
            total += chunk.Length;
        }
        Assert.Equal(65 * 65536, total);
        Assert.True(chunks >= 65 * 65536 / 4096);
        Assert.True(resp.Content.AtEof);
    });

    [Fact]
    public void IterChunkedAsync_HoldsOnlyOneChunkAtATime() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "gated?key=" + key);
        server.GateFor(key).SetResult();
        long before = GC.GetAllocatedBytesForCurrentThread();
        long total = 0;
        await foreach (byte[] chunk in resp.Content.IterChunkedAsync(65536)) total += chunk.Length;
        Assert.Equal(65 * 65536, total);
        // The chunks themselves are allocated (4 MiB in all), but nothing holds them: the live heap does not grow by the body.
        GC.Collect();
        Assert.True(GC.GetTotalMemory(forceFullCollection: true) < 64L * 1024 * 1024);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before >= 0);
    });

    [Fact]
    public void ContentReadAsync_ReadsAtMostNBytes() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "text");
        Assert.Equal("he"u8.ToArray(), await resp.Content.ReadAsync(2));
        Assert.Equal("llo"u8.ToArray(), await resp.ReadAsync());
        Assert.Empty(await resp.Content.ReadAsync(10));
        Assert.True(resp.Content.AtEof);
    });

    [Fact]
    public void IterAnyAsync_YieldsTheWholeBody() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "text");
        var body = new List<byte>();
        await foreach (byte[] chunk in resp.Content.IterAnyAsync()) body.AddRange(chunk);
        Assert.Equal("hello"u8.ToArray(), body.ToArray());
    });

    [Fact]
    public void Release_BeforeTheEnd_StopsReadingAndFreesTheSlot() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession(new ClientSessionOptions { Limit = 1, Timeout = new ClientTimeout(connect: 5) });
        ClientResponse resp = await session.GetAsync(server.Url + "slow-body?key=" + key);
        Assert.Equal("first"u8.ToArray(), await resp.Content.ReadAsync(5));
        await resp.DisposeAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await resp.Content.ReadAsync(5));
        await using ClientResponse next = await session.GetAsync(server.Url + "text");
        Assert.Equal("hello", await next.TextAsync());
        await server.AbortedFor(key).Task.WaitAsync(TimeSpan.FromSeconds(10));
    });

    [Fact]
    public void ReadAsync_AfterTheBodyWasRead_ReturnsTheSameBytes() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "text");
        byte[] first = await resp.ReadAsync();
        resp.Release();
        Assert.Same(first, await resp.ReadAsync());
        Assert.Equal("hello", await resp.TextAsync());
    });
}
