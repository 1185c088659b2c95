using System.Diagnostics;
using Asyncio.Cli.Fetch;

namespace Asyncio.Cli.Demos;

/// <summary>
/// "aiohttp with rate limit": twenty real HTTP GETs to <see cref="DemoServer"/> (Kestrel, in-process), each sent under an
/// <see cref="AsyncLimiter"/> of 10 per second. The first ten go at once (the burst), the rest one every 0.1 s; the
/// demo prints each answer (in request order, so the output is stable), when its request was let through, and the
/// rate achieved.
/// </summary>
internal sealed class RateLimitDemo : Demo
{
    /// <summary>The requests sent.</summary>
    private const int Requests = 20;

    public override string Name => "rate-limit";

    public override string Title => "aiohttp with rate limit (AsyncLimiter)";

    public override int Order => 61;

    public override void Run(TextWriter output) => Aio.Run(RunAsync(output));

    /// <summary>One request: waits for the limiter, then GETs the URL and reads the answer.</summary>
    private static async Coroutine<(double At, string Answer)> Request(HttpClient session, AsyncLimiter limiter, Uri url, long t0)
    {
        using (await limiter.AcquireAsync())
        {
            double at = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            using HttpResponseMessage response = await session.GetAsync(url);
            string body = await response.Content.ReadAsStringAsync();
            return (at, $"HTTP {(int)response.StatusCode} \"{body.TrimEnd()}\"");
        }
    }

    private static async Coroutine RunAsync(TextWriter output)
    {
        var files = Enumerable.Range(0, Requests).ToDictionary(i => $"/drip/{i}", i => new DemoFile(System.Text.Encoding.ASCII.GetBytes($"Drip {i}!\n")));
        await using DemoServer server = await DemoServer.StartAsync(files);
        output.WriteLine($"{Requests} GETs to http://127.0.0.1 (a local server), at most 10 per second");
        using var session = new HttpClient();
        var limiter = new AsyncLimiter(maxRate: 10, timePeriod: 1.0);
        long t0 = Stopwatch.GetTimestamp();
        var tasks = Enumerable.Range(0, Requests).Select(i => Aio.CreateTask(Request(session, limiter, server.UrlOf($"/drip/{i}"), t0))).ToList();
        double last = 0;
        for (int i = 0; i < tasks.Count; i++)
        {
            (double at, string answer) = await tasks[i];
            last = Math.Max(last, at);
            output.WriteLine($"{i,2}: GET /drip/{i,-2} -> {answer}  (sent at {at:F2} s)");
        }
        output.WriteLine($"the server answered {server.Log.Count} requests");
        // After the burst of 10, the other 10 should take 1 s: 10 per second.
        output.WriteLine($"after the burst: {10 / last:F1} requests/s (limit 10/s)");
    }
}
