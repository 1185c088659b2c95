namespace Asyncio.Http.Tests;

/// <summary>RaiseForStatus (session-wide, per request, per response) and redirects.</summary>
public sealed class StatusAndRedirectTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public void RaiseForStatus_OnTheResponse_RaisesWithStatusAndReason() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "status/404");
        Assert.Equal((404, "Not Found", false), (resp.Status, resp.Reason, resp.Ok));
        var error = Assert.Throws<ClientResponseError>(resp.RaiseForStatus);
        Assert.Equal((404, "Not Found"), (error.Status, error.Reason));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.Equal($"404, message='Not Found', url='{server.Url}status/404'", error.Message);
        Assert.IsAssignableFrom<HttpRequestException>(error);
    });

    [Fact]
    public void RaiseForStatus_OnASuccess_DoesNothing() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "text");
        resp.RaiseForStatus();
        Assert.Equal("hello", await resp.TextAsync());
    });

    [Fact]
    public void RaiseForStatus_SessionWide_RaisesAtTheRequest() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { RaiseForStatus = true });
        var error = await Assert.ThrowsAsync<ClientResponseError>(async () => await session.GetAsync(server.Url + "status/503"));
        Assert.Equal((503, "Service Unavailable"), (error.Status, error.Reason));
    });

    [Fact]
    public void RaiseForStatus_RequestOptionOverridesTheSession() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { RaiseForStatus = true });
        await using ClientResponse resp = await session.GetAsync(server.Url + "status/500", new RequestOptions { RaiseForStatus = false });
        Assert.Equal(500, resp.Status);
    });

    [Fact]
    public void Redirects_AreFollowedAndKeptInHistory() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "redirect/3");
        Assert.Equal("done", await resp.TextAsync());
        Assert.Equal(new Uri(server.Url + "redirect/0"), resp.Url);
        Assert.Equal([302, 302, 302], resp.History.Select(r => r.Status));
        Assert.Equal(new Uri(server.Url + "redirect/3"), resp.History[0].Url);
    });

    [Fact]
    public void Redirects_NotFollowedWhenDisallowed() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { AllowRedirects = false });
        await using ClientResponse resp = await session.GetAsync(server.Url + "redirect/1");
        Assert.Equal(302, resp.Status);
        Assert.Empty(resp.History);
        Assert.Equal("/redirect/0", resp.Headers["Location"]);
    });

    [Fact]
    public void MaxRedirects_ReachedRaisesTooManyRedirects() => HttpLoop.Run(async () =>
    {
        // aiohttp counts redirect responses: the request fails at the MaxRedirects-th one.
        await using var session = new ClientSession(new ClientSessionOptions { MaxRedirects = 3 });
        var error = await Assert.ThrowsAsync<TooManyRedirects>(async () => await session.GetAsync(server.Url + "redirect/3"));
        Assert.Equal(3, error.History.Count);
        Assert.Equal(302, error.Status);
        await using ClientResponse resp = await session.GetAsync(server.Url + "redirect/2");
        Assert.Equal(200, resp.Status);
    });

    [Fact]
    public void Redirect303_TurnsAPostIntoAGetWithoutBody() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.PostAsync(server.Url + "redirect-to?status=303&url=/echo", new RequestOptions { Data = "body" });
        TestServer.Echo echo = TestServer.ParseEcho(await resp.TextAsync());
        Assert.Equal(("GET", ""), (echo.Method, echo.Body));
    });

    [Fact]
    public void Redirect307_KeepsTheMethodAndBody() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.PostAsync(server.Url + "redirect-to?status=307&url=/echo", new RequestOptions { Data = "body" });
        TestServer.Echo echo = TestServer.ParseEcho(await resp.TextAsync());
        Assert.Equal(("POST", "body"), (echo.Method, echo.Body));
    });

    [Fact]
    public void Redirect_ToAnotherOrigin_DropsAuthorization() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { DefaultHeaders = { ["Authorization"] = "Bearer secret" } });
        string otherOrigin = $"http://localhost:{server.Port}/echo";
        await using ClientResponse resp = await session.GetAsync(server.Url + "redirect-to?status=302&url=" + Uri.EscapeDataString(otherOrigin));
        Assert.False(TestServer.ParseEcho(await resp.TextAsync()).Headers.ContainsKey("authorization"));
        await using ClientResponse same = await session.GetAsync(server.Url + "redirect-to?status=302&url=/echo");
        Assert.Equal("Bearer secret", TestServer.ParseEcho(await same.TextAsync()).Headers["authorization"]);
    });
}
