namespace Asyncio.Http.Tests;

/// <summary>Cancelling the task aborts the request; Limit, LimitPerHost and the rate limiter bound the requests.</summary>
public sealed class CancellationAndLimitTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public void Cancel_WhileWaitingForTheHeaders_ClosesTheConnection() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession();
        AioTask<ClientResponse> request = Aio.CreateTask(session.GetAsync(server.Url + "hang?key=" + key));
        await server.WaitStarted(key);
        request.Cancel();
        await Assert.ThrowsAsync<CancelledError>(async () => await request);
        await server.AbortedFor(key).Task.WaitAsync(TimeSpan.FromSeconds(10));
    });

    [Fact]
    public void Cancel_WhileReadingTheBody_ClosesTheConnection() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "slow-body?key=" + key);
        AioTask<byte[]> read = Aio.CreateTask(resp.ReadAsync());
        await server.WaitStarted(key);
        await Aio.Sleep(0.1);
        read.Cancel();
        await Assert.ThrowsAsync<CancelledError>(async () => await read);
        await server.AbortedFor(key).Task.WaitAsync(TimeSpan.FromSeconds(10));
    });

    [Fact]
    public void Timeout_AroundARequest_AbortsIt() => HttpLoop.Run(async () =>
    {
        // asyncio.timeout() around the request: the loop's own timeout cancels the task, which aborts the request.
        string key = TestServer.NewKey();
        await using var session = new ClientSession();
        await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.Timeout(30, handle =>
        {
            // The timeout expires once the request has reached the server (a fixed delay could expire before).
            Aio.CreateTask(ExpireWhenStarted(handle, key));
            return session.GetAsync(server.Url + "hang?key=" + key);
        }));
        await server.AbortedFor(key).Task.WaitAsync(TimeSpan.FromSeconds(10));
    });

    private async Coroutine ExpireWhenStarted(TimeoutHandle handle, string key)
    {
        await server.WaitStarted(key);
        handle.Reschedule(Aio.GetRunningLoop().Time());
    }

    [Fact]
    public void Limit_BoundsTheRequestsInFlight() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession(new ClientSessionOptions { Limit = 2 });
        await Aio.Gather(Enumerable.Range(0, 6).Select(_ => Fetch(session, server.Url + "concurrent?key=" + key)).ToArray());
        Assert.Equal(2, server.GaugeFor(key).Max);
    });

    [Fact]
    public void LimitPerHost_BoundsEachHostSeparately() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession(new ClientSessionOptions { Limit = 0, LimitPerHost = 1 });
        var requests = new List<Coroutine<string>>();
        for (int i = 0; i < 3; i++)
        {
            requests.Add(Fetch(session, $"http://127.0.0.1:{server.Port}/concurrent?key={key}"));
            requests.Add(Fetch(session, $"http://localhost:{server.Port}/concurrent?key={key}"));
        }
        await Aio.Gather(requests.ToArray());
        Assert.Equal(1, server.GaugeFor(key + "/127.0.0.1").Max);
        Assert.Equal(1, server.GaugeFor(key + "/localhost").Max);
        Assert.Equal(2, server.GaugeFor(key).Max);
    });

    [Fact]
    public void Limit_SlotIsFreedWhenTheBodyIsReadToItsEnd() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession(new ClientSessionOptions { Limit = 1, Timeout = new ClientTimeout(connect: 5) });
        for (int i = 0; i < 3; i++)
        {
            ClientResponse resp = await session.GetAsync(server.Url + "text");   // never disposed: the end of the body frees the slot
            Assert.Equal("hello", await resp.TextAsync());
        }
    });

    [Fact]
    public void Limiter_SpacesTheRequestsAtItsRate() => HttpLoop.Run(async () =>
    {
        // 4 per second after a burst of 4: the 8 requests take at least one second.
        await using var session = new ClientSession(new ClientSessionOptions { Limiter = new AsyncLimiter(4, 1.0) });
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        await Aio.Gather(Enumerable.Range(0, 8).Select(_ => Fetch(session, server.Url + "text")).ToArray());
        Assert.InRange(HttpLoop.Since(start), 0.9, 15);
    });

    private static async Coroutine<string> Fetch(ClientSession session, string url)
    {
        await using ClientResponse resp = await session.GetAsync(url);
        return await resp.TextAsync();
    }
}
