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
    public void IterChunkedAsync_ChunksKeptByTheCallerKeepTheirBytes() => HttpLoop.Run(async () =>
    {
        // A chunk that filled the read buffer is handed out as is: the next read must not write into it.
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "text");
        var chunks = new List<byte[]>();
        await foreach (byte[] chunk in resp.Content.IterChunkedAsync(2)) chunks.Add(chunk);
        Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(chunks.SelectMany(c => c).ToArray()));
        Assert.Equal(chunks.Count, chunks.Distinct(ReferenceEqualityComparer.Instance).Count());
    });

    [Fact]
    public void Request_OnAVirtualTimeLoop_RunsInRealTime() => HttpLoop.Run(async () =>
    {
        // The HTTP stack's awaits are foreign: the virtual clock does not skip the time they take.
        await using var session = new ClientSession(new ClientSessionOptions { Timeout = new ClientTimeout(total: 5) });
        await using ClientResponse resp = await session.GetAsync(server.Url + "text");
        Assert.Equal("hello", await resp.TextAsync());
    }, loop: Aio.NewEventLoop(virtualTime: true));

    [Fact]
    public void AutoDecompress_ByDefault_AsksForCompressionAndDecodesTheBody() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "gzip");
        Assert.Contains("gzip", resp.Headers["X-Accept-Encoding"], StringComparison.Ordinal);
        Assert.Equal("hello gzip", await resp.TextAsync());
    });

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void AutoDecompress_DecodesEachCodingItAsksFor(string coding) => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "encoded/" + coding);
        Assert.Equal("hello " + coding, await resp.TextAsync());
    });

    [Fact]
    public void AutoDecompress_RawDeflateUnderTheDeflateName_IsDecodedToo() => HttpLoop.Run(async () =>
    {
        // Some servers send raw DEFLATE (RFC 1951) as "deflate", which means zlib (RFC 1950): aiohttp and .NET read both.
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "encoded/deflate?raw=1");
        Assert.Equal("hello deflate", await resp.TextAsync());
    });

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public void AutoDecompress_EncodingOfAnEmptyBody_OfEachCoding_GivesAnEmptyBody(string coding) => HttpLoop.Run(async () =>
    {
        // A coder's output for no input is not empty: an encoded empty body still has a header to decode.
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "encoded/" + coding + "?empty=1");
        Assert.Empty(await resp.ReadAsync());
    });

    [Fact]
    public void AutoDecompress_DecodedBody_HasNoContentEncodingNorLength() => HttpLoop.Run(async () =>
    {
        // Both describe the bytes sent, not those read.
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "encoded/gzip");
        Assert.False(resp.Headers.ContainsKey("Content-Encoding"));
        Assert.Null(resp.ContentLength);
        Assert.Equal("hello gzip", await resp.TextAsync());
    });

    [Fact]
    public void AutoDecompress_UnknownCoding_GivesTheBodyAsSent() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "encoded/x-custom");
        Assert.Equal("x-custom", resp.Headers["Content-Encoding"]);
        Assert.Equal("hello x-custom", await resp.TextAsync());
    });

    [Fact]
    public void AutoDecompress_HeadOfAnEncodedResource_ReadsAnEmptyBody() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.HeadAsync(server.Url + "encoded/gzip");
        Assert.Equal(200, resp.Status);
        Assert.Empty(await resp.ReadAsync());
    });

    [Fact]
    public void AutoDecompress_RequestsOwnAcceptEncoding_IsSentAsGiven() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "gzip",
            new RequestOptions { Headers = [new("Accept-Encoding", "gzip")] });
        Assert.Equal("gzip", resp.Headers["X-Accept-Encoding"]);
        Assert.Equal("hello gzip", await resp.TextAsync());
    });

    [Fact]
    public void AutoDecompress_False_GivesTheBodyAsSent() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { AutoDecompress = false });
        await using ClientResponse resp = await session.GetAsync(server.Url + "gzip");
        byte[] body = await resp.ReadAsync();
        resp.Headers.TryGetValue("X-Accept-Encoding", out string asked);
        Assert.Equal("", asked);
        Assert.Equal("gzip", resp.Headers["Content-Encoding"]);
        Assert.Equal(body.Length, resp.ContentLength);
        Assert.Equal(new byte[] { 0x1f, 0x8b }, body[..2]);
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        Assert.Equal("hello gzip", reader.ReadToEnd());
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
