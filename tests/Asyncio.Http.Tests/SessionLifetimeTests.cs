using System.Runtime.CompilerServices;

namespace Asyncio.Http.Tests;

/// <summary>Closing a session, using a closed one, and the report of a session never closed.</summary>
public sealed class SessionLifetimeTests(TestServer server) : IClassFixture<TestServer>
{
    [Fact]
    public void ClosedSession_RefusesNewRequests() => HttpLoop.Run(async () =>
    {
        var session = new ClientSession();
        await session.CloseAsync();
        Assert.True(session.IsClosed);
        var error = Assert.Throws<ObjectDisposedException>(() => session.GetAsync(server.Url + "text"));
        Assert.Contains("Session is closed", error.Message, StringComparison.Ordinal);
        session.Close();   // idempotent
    });

    [Fact]
    public void UnclosedSession_IsReportedToTheLoopsExceptionHandler()
    {
        List<ExceptionContext> reports = ReportsAfterCollecting(AbandonASession);
        ExceptionContext report = Assert.Single(reports);
        Assert.Equal("Unclosed client session", report.Message);
        Assert.StartsWith("<ClientSession", (string)report.Extra!["client_session"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void ClosedSession_IsNotReported() =>
        Assert.DoesNotContain(ReportsAfterCollecting(CloseASession), r => r.Message == "Unclosed client session");

    /// <summary>
    /// Calls <paramref name="makeGarbage"/> on a loop, then collects and runs the loop a little until a report
    /// arrives (or a few rounds pass); returns what the loop's exception handler received.
    /// </summary>
    private static List<ExceptionContext> ReportsAfterCollecting(Action makeGarbage)
    {
        var reports = new List<ExceptionContext>();
        EventLoop loop = Aio.NewEventLoop();
        loop.SetExceptionHandler((_, context) => reports.Add(context));
        HttpLoop.Run(async () =>
        {
            makeGarbage();
            for (int i = 0; i < 10 && reports.Count == 0; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                await Aio.Sleep(0.01);
            }
        }, loop: loop);
        return reports;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AbandonASession() => _ = new ClientSession();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CloseASession() => new ClientSession().Dispose();

    [Fact]
    public void Close_ClosesThePooledConnections() => HttpLoop.Run(async () =>
    {
        // Counted in the kernel's table: established client connections to this class's server.
        var session = new ClientSession();
        for (int i = 0; i < 3; i++)
        {
            await using ClientResponse resp = await session.GetAsync(server.Url + "text");
            await resp.ReadAsync();
        }
        // Kept alive in the pool: usually one, reused; the HTTP stack opens another when a request starts before the
        // last response's connection is back in its pool (three were seen once under CI's load). Either way the
        // pool holds connections for the close to close.
        List<string> open = EstablishedClientsOf(server.Port);
        Assert.True(open.Count is >= 1 and <= 3, $"established connections to the server: {string.Join(", ", open)}");
        await session.CloseAsync();
        // The kernel moves the closed socket out of ESTABLISHED as the FIN is processed: give a loaded machine time.
        for (int i = 0; i < 50 && EstablishedConnectionsTo(server.Port) > 0; i++) await Aio.Sleep(0.1);
        Assert.Equal(0, EstablishedConnectionsTo(server.Port));
    });

    /// <summary>Client sockets connected to <paramref name="port"/> on IPv4 or IPv6 loopback, from /proc/net/tcp{,6}.</summary>
    private static int EstablishedConnectionsTo(int port) => EstablishedClientsOf(port).Count;

    /// <summary>The local addresses (hex, as the kernel lists them) of the established client sockets connected to <paramref name="port"/>.</summary>
    private static List<string> EstablishedClientsOf(int port)
    {
        string hexPort = ":" + port.ToString("X4", System.Globalization.CultureInfo.InvariantCulture);
        var clients = new List<string>();
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table)) continue;
            foreach (string line in File.ReadLines(table).Skip(1))
            {
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[2].EndsWith(hexPort, StringComparison.Ordinal) && fields[3] == "01") clients.Add(fields[1]);
            }
        }
        return clients;
    }

    [Fact]
    public void Session_UsedOnASecondOpenLoop_IsRefused()
    {
        using var session = new ClientSession();
        EventLoop first = Aio.NewEventLoop();
        try
        {
            Assert.Equal("hello", first.RunUntilComplete(GetTextAsync(session)));
            var error = Assert.Throws<InvalidOperationException>(() => HttpLoop.Run(async () => await GetTextAsync(session)));
            Assert.Contains("another event loop", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            first.Close();
        }
    }

    [Fact]
    public void Session_MovesToANewLoop_OnceItsLoopIsClosed()
    {
        using var session = new ClientSession();
        HttpLoop.Run(async () => Assert.Equal("hello", await GetTextAsync(session)));
        // The first loop closed its connections: the next request connects again, served by the new loop.
        HttpLoop.Run(async () => Assert.Equal("hello", await GetTextAsync(session)));
    }

    private async Coroutine<string> GetTextAsync(ClientSession session)
    {
        await using ClientResponse resp = await session.GetAsync(server.Url + "text");
        return await resp.TextAsync();
    }
}
