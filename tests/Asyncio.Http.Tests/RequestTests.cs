using System.Net;
using System.Text;

namespace Asyncio.Http.Tests;

/// <summary>Round trips: methods, bodies, JSON, text decoding, headers, base address, query, cookies.</summary>
public sealed class RequestTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public void Get_ReturnsStatusReasonAndBody() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "text");
        Assert.Equal(200, resp.Status);
        Assert.Equal("OK", resp.Reason);
        Assert.True(resp.Ok);
        Assert.Equal("hello", await resp.TextAsync());
        Assert.Equal("hello"u8.ToArray(), await resp.ReadAsync());
    });

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public void RequestAsync_SendsTheMethod(string method) => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.RequestAsync(method, server.Url + "echo");
        Assert.Equal(method, TestServer.ParseEcho(await resp.TextAsync()).Method);
    });

    [Theory]
    [InlineData("get", "GET")]
    [InlineData("Post", "POST")]
    [InlineData("purge", "PURGE")]
    public void RequestAsync_SendsTheMethodInUpperCase(string method, string sent) => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.RequestAsync(method, server.Url + "echo");
        Assert.Equal(sent, TestServer.ParseEcho(await resp.TextAsync()).Method);
    });

    [Theory]
    [InlineData("GE T")]
    [InlineData("GET\r\n")]
    [InlineData("(get)")]
    public void RequestAsync_MethodThatIsNotAToken_IsRefusedAtTheCall(string method) => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        var error = Assert.Throws<ArgumentException>(() => session.RequestAsync(method, server.Url + "echo"));
        Assert.Equal("method", error.ParamName);
    });

    [Fact]
    public void PostAsync_SendsAJsonBody() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.PostAsync(server.Url + "echo", new RequestOptions { Json = new { Name = "aio", Value = 1 } });
        TestServer.Echo echo = TestServer.ParseEcho(await resp.TextAsync());
        Assert.Equal("""{"name":"aio","value":1}""", echo.Body);
        Assert.Equal("application/json", echo.ContentType);
    });

    [Fact]
    public void PutAsync_SendsAStringBodyAsUtf8Text() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.PutAsync(server.Url + "echo", new RequestOptions { Data = "héllo" });
        TestServer.Echo echo = TestServer.ParseEcho(await resp.TextAsync());
        Assert.Equal("héllo", echo.Body);
        Assert.Equal("text/plain; charset=utf-8", echo.ContentType);
    });

    [Fact]
    public void PostAsync_SendsBytesAndFormFields() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse bytes = await session.PostAsync(server.Url + "echo", new RequestOptions { Data = "raw"u8.ToArray() });
        TestServer.Echo echo = TestServer.ParseEcho(await bytes.TextAsync());
        Assert.Equal(("raw", "application/octet-stream"), (echo.Body, echo.ContentType));

        var form = new Dictionary<string, string> { ["a"] = "1", ["b"] = "x y" };
        await using ClientResponse formResp = await session.PostAsync(server.Url + "echo", new RequestOptions { Data = form });
        echo = TestServer.ParseEcho(await formResp.TextAsync());
        Assert.Equal(("a=1&b=x+y", "application/x-www-form-urlencoded"), (echo.Body, echo.ContentType));
    });

    [Fact]
    public void JsonAsync_DeserializesTheBody() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "json");
        Assert.Equal(new TestServer.Item("aio", 42), await resp.JsonAsync<TestServer.Item>());
    });

    [Fact]
    public void JsonAsync_AcceptsAPlusJsonMediaType() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "problem");
        Assert.Equal(42, (await resp.JsonAsync<TestServer.Item>())!.Value);
    });

    [Fact]
    public void JsonAsync_RefusesAnotherContentType() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "text");
        var error = await Assert.ThrowsAsync<ContentTypeError>(async () => await resp.JsonAsync<string>());
        Assert.Contains("text/plain", error.Message, StringComparison.Ordinal);
    });

    [Fact]
    public void TextAsync_DecodesWithTheResponseCharset() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "latin1");
        Assert.Equal("iso-8859-1", resp.Charset);
        Assert.Equal("café", await resp.TextAsync());
    });

    [Fact]
    public void TextAsync_UsesTheEncodingGivenInsteadOfTheCharset() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "latin1");
        Assert.Equal("caf\u00e9", await resp.TextAsync(Encoding.Latin1));
    });

    [Fact]
    public void TextAsync_RaisesOnInvalidBytes() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "bad-utf8");
        await Assert.ThrowsAsync<DecoderFallbackException>(async () => await resp.TextAsync());
    });

    [Fact]
    public void Headers_AreCaseInsensitiveAndIncludeContentHeaders() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "json");
        Assert.StartsWith("application/json", resp.Headers["content-type"], StringComparison.Ordinal);
        Assert.True(resp.Headers.ContainsKey("Content-Type"));
        Assert.Equal("application/json", resp.ContentType);
        Assert.Empty(resp.Headers.GetAll("X-Missing"));
    });

    [Fact]
    public void DefaultHeaders_AreSentAndRequestHeadersOverrideThem() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions
        {
            DefaultHeaders = { ["X-Session"] = "s", ["X-Both"] = "session" },
        });
        await using ClientResponse resp = await session.GetAsync(server.Url + "echo",
            new RequestOptions { Headers = new Dictionary<string, string> { ["X-Both"] = "request", ["X-Request"] = "r" } });
        Dictionary<string, string> headers = TestServer.ParseEcho(await resp.TextAsync()).Headers;
        Assert.Equal(("s", "request", "r"), (headers["x-session"], headers["x-both"], headers["x-request"]));
    });

    [Fact]
    public void BaseAddress_ResolvesRelativeUrlsAndParamsAreAppended() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { BaseAddress = new Uri(server.Url) });
        await using ClientResponse resp = await session.GetAsync("echo?x=1",
            new RequestOptions { Params = [new("y", "a b"), new("z", "&")] });
        Assert.Equal("/echo?x=1&y=a%20b&z=%26", TestServer.ParseEcho(await resp.TextAsync()).PathAndQuery);
        Assert.Equal(new Uri(server.Url + "echo?x=1&y=a%20b&z=%26"), resp.Url);
    });

    [Fact]
    public void Cookies_SetByTheServerAreSentOnLaterRequests() => HttpLoop.Run(async () =>
    {
        var jar = new CookieContainer();
        await using var session = new ClientSession(new ClientSessionOptions { CookieJar = jar });
        (await session.GetAsync(server.Url + "set-cookie")).Dispose();
        await using ClientResponse resp = await session.GetAsync(server.Url + "cookies");
        Assert.Equal("flavour=oat", await resp.TextAsync());
        Assert.Same(jar, session.CookieJar);
        Assert.Equal("oat", jar.GetCookies(new Uri(server.Url))["flavour"]?.Value);
    });

    [Fact]
    public void Awaits_ResumeOnTheLoopThread() => HttpLoop.Run(async () =>
    {
        int loopThread = Environment.CurrentManagedThreadId;
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "text");
        Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
        await resp.ReadAsync();
        Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
        await foreach (byte[] _ in resp.Content.IterChunkedAsync(10)) { }
        Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
    });
}
