using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Asyncio.Http.Tests;

/// <summary>Retries: statuses, connection errors, backoff, Retry-After, methods.</summary>
public sealed class RetryTests(TestServer server) : IClassFixture<TestServer>
{
    private static readonly RetryOptions Fast = new() { Attempts = 3, InitialDelay = 0.01, MaxDelay = 0.05 };

    [Fact]
    public void Retry_RepeatsA5xxUntilItSucceeds() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession(new ClientSessionOptions { Retry = Fast });
        await using ClientResponse resp = await session.GetAsync(server.Url + $"flaky?key={key}&fail=2&status=503");
        Assert.Equal("ok after 3", await resp.TextAsync());
    });

    [Fact]
    public void Retry_GivesUpAfterItsAttemptsWithTheLastResponse() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession(new ClientSessionOptions { Retry = Fast, RaiseForStatus = true });
        var error = await Assert.ThrowsAsync<ClientResponseError>(async () => await session.GetAsync(server.Url + $"flaky?key={key}&fail=5&status=429"));
        Assert.Equal(429, error.Status);
        Assert.Equal(3, server.Calls[key]);
    });

    [Fact]
    public void Retry_DoesNotRepeatAClientError() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession(new ClientSessionOptions { Retry = Fast });
        await using ClientResponse resp = await session.GetAsync(server.Url + $"flaky?key={key}&fail=1&status=404");
        Assert.Equal((404, 1), (resp.Status, server.Calls[key]));
    });

    [Fact]
    public void Retry_DoesNotRepeatAPostByDefault() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession(new ClientSessionOptions { Retry = Fast });
        await using ClientResponse resp = await session.PostAsync(server.Url + $"flaky?key={key}&fail=1&status=503");
        Assert.Equal((503, 1), (resp.Status, server.Calls[key]));
    });

    [Fact]
    public void Retry_RepeatsAPostWhenItsMethodIsListed() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession(new ClientSessionOptions { Retry = Fast with { Methods = new HashSet<string> { "POST" } } });
        await using ClientResponse resp = await session.PostAsync(server.Url + $"flaky?key={key}&fail=1&status=503");
        Assert.Equal(200, resp.Status);
    });

    [Fact]
    public void Retry_RequestOptionNoneTurnsItOff() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession(new ClientSessionOptions { Retry = Fast });
        await using ClientResponse resp = await session.GetAsync(server.Url + $"flaky?key={key}&fail=1&status=503", new RequestOptions { Retry = RetryOptions.None });
        Assert.Equal(503, resp.Status);
    });

    [Fact]
    public void Retry_WaitsAnExponentialBackoff() => HttpLoop.Run(async () =>
    {
        // No jitter: 0.2 s then 0.4 s.
        string key = TestServer.NewKey();
        var retry = new RetryOptions { Attempts = 3, InitialDelay = 0.2, Factor = 2, Jitter = 0 };
        await using var session = new ClientSession(new ClientSessionOptions { Retry = retry });
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        await using ClientResponse resp = await session.GetAsync(server.Url + $"flaky?key={key}&fail=2&status=500");
        Assert.Equal(200, resp.Status);
        Assert.InRange(HttpLoop.Since(start), 0.55, 10);
    });

    [Fact]
    public void Retry_HonoursRetryAfter() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession(new ClientSessionOptions { Retry = Fast });
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        await using ClientResponse resp = await session.GetAsync(server.Url + $"flaky?key={key}&fail=1&status=429&retryAfter=1");
        Assert.Equal(200, resp.Status);
        Assert.InRange(HttpLoop.Since(start), 0.9, 10);
    });

    [Fact]
    public void Retry_CapsRetryAfter() => HttpLoop.Run(async () =>
    {
        string key = TestServer.NewKey();
        await using var session = new ClientSession(new ClientSessionOptions { Retry = Fast with { MaxRetryAfter = 0.1 } });
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        await using ClientResponse resp = await session.GetAsync(server.Url + $"flaky?key={key}&fail=1&status=503&retryAfter=3600");
        Assert.Equal(200, resp.Status);
        Assert.InRange(HttpLoop.Since(start), 0.05, 5);
    });

    [Fact]
    public void Retry_RepeatsAfterAConnectionError() => HttpLoop.Run(async () =>
    {
        // A server that closes the first two connections without answering, then answers.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        int accepted = 0;
        Task serving = Task.Run(async () =>
        {
            while (true)
            {
                using TcpClient client = await listener.AcceptTcpClientAsync();
                if (++accepted <= 2) continue;
                NetworkStream stream = client.GetStream();
                byte[] buffer = new byte[4096];
                int read = 0;
                while (!Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    read += await stream.ReadAsync(buffer.AsMemory(read));
                }
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
                return;
            }
        });
        await using var session = new ClientSession(new ClientSessionOptions { Retry = Fast });
        await using ClientResponse resp = await session.GetAsync($"http://127.0.0.1:{port}/");
        Assert.Equal("ok", await resp.TextAsync());
        Assert.Equal(3, accepted);
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
    });

    [Fact]
    public void Retry_ConnectionErrorWithoutRetriesIsAnHttpRequestException() => HttpLoop.Run(async () =>
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();   // nothing listens there any more: connection refused
        await using var session = new ClientSession();
        var error = await Assert.ThrowsAsync<HttpRequestException>(async () => await session.GetAsync($"http://127.0.0.1:{port}/"));
        Assert.Equal(HttpRequestError.ConnectionError, error.HttpRequestError);
    });
}
