namespace Asyncio.Http.Tests;

/// <summary>Bad arguments fail at the call with a clear exception.</summary>
public sealed class ValidationTests(TestServer server) : IClassFixture<TestServer>
{
    [Theory]
    [InlineData(-1.0)]
    [InlineData(0.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ClientTimeout_RefusesANonPositiveOrNonFiniteValue(double seconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientTimeout(total: seconds));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientTimeout(connect: seconds));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientTimeout(sockRead: seconds));
    }

    [Fact]
    public void ClientTimeout_DefaultIsFiveMinutesInTotal()
    {
        Assert.Equal((300.0, (double?)null, (double?)null), (ClientTimeout.Default.Total!.Value, ClientTimeout.Default.Connect, ClientTimeout.Default.SockRead));
        Assert.Same(ClientTimeout.Default, new ClientSessionOptions().Timeout);
    }

    [Fact]
    public void Session_RefusesNegativeLimitsAndARelativeBaseAddress()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientSession(new ClientSessionOptions { Limit = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientSession(new ClientSessionOptions { LimitPerHost = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientSession(new ClientSessionOptions { MaxRedirects = -1 }));
        Assert.Throws<ArgumentException>(() => new ClientSession(new ClientSessionOptions { BaseAddress = new Uri("/api", UriKind.Relative) }));
        Assert.Throws<ArgumentException>(() => new ClientSession(new ClientSessionOptions { BaseAddress = new Uri("ftp://host/") }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientSession(new ClientSessionOptions { Retry = new RetryOptions { Attempts = 0 } }));
    }

    [Fact]
    public void RetryOptions_RefuseBadValues()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientSession(new ClientSessionOptions { Retry = new RetryOptions { Jitter = 2 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientSession(new ClientSessionOptions { Retry = new RetryOptions { Factor = 0.5 } }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientSession(new ClientSessionOptions { Retry = new RetryOptions { InitialDelay = -1 } }));
    }

    [Fact]
    public void Request_RefusesBadArgumentsAtTheCall()
    {
        using var session = new ClientSession();
        Assert.Throws<ArgumentNullException>(() => session.GetAsync(null!));
        Assert.Throws<ArgumentException>(() => session.RequestAsync(" ", "http://127.0.0.1/"));
        Assert.Throws<ArgumentException>(() => session.GetAsync("relative/path"));
        Assert.Throws<ArgumentException>(() => session.GetAsync("ftp://127.0.0.1/file"));
        Assert.Throws<ArgumentException>(() => session.PostAsync("http://127.0.0.1/", new RequestOptions { Json = 1, Data = "x" }));
        Assert.Throws<ArgumentException>(() => session.PostAsync("http://127.0.0.1/", new RequestOptions { Data = 42 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.GetAsync("http://127.0.0.1/", new RequestOptions { MaxRedirects = -1 }));
    }

    [Fact]
    public void ResponseContent_RefusesABadChunkSize() => HttpLoop.Run(async () =>
    {
        await using var session = new ClientSession();
        await using ClientResponse resp = await session.GetAsync(server.Url + "text");
        Assert.Throws<ArgumentOutOfRangeException>(() => resp.Content.IterChunkedAsync(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => resp.Content.ReadAsync(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => resp.Content.ReadAsync(-2));
    });
}
