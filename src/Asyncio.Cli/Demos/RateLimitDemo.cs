using System.Diagnostics;

namespace Asyncio.Cli.Demos;

/// <summary>
/// "rate limit": twenty requests through an <see cref="AsyncLimiter"/> of 10 per second. The first ten
/// pass at once (the burst), the rest one every 0.1 s; the demo prints each entry time and the rate achieved.
/// </summary>
internal sealed class RateLimitDemo : Demo
{
    public override string Name => "rate-limit";

    public override string Title => "aiohttp with rate limit (AsyncLimiter)";

    public override int Order => 61;

    public override void Run(TextWriter output) => Aio.Run(RunAsync(output));

    private static async Coroutine<double> Request(AsyncLimiter limiter, long t0, int id, TextWriter output)
    {
        using (await limiter.AcquireAsync())
        {
            double at = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            output.WriteLine($"{id,2}: Drip! {at,5:F2}");
            return at;
        }
    }

    private static async Coroutine RunAsync(TextWriter output)
    {
        var limiter = new AsyncLimiter(maxRate: 10, timePeriod: 1.0);
        long t0 = Stopwatch.GetTimestamp();
        var tasks = Enumerable.Range(0, 20).Select(i => Aio.CreateTask(Request(limiter, t0, i, output))).ToList();
        double last = 0;
        foreach (var t in tasks) last = Math.Max(last, await t);
        // After the burst of 10, the other 10 should take 1 s: 10 per second.
        output.WriteLine($"after the burst: {10 / last:F1} entries/s (limit 10/s)");
    }
}
