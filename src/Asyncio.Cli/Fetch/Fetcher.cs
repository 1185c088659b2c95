namespace Asyncio.Cli.Fetch;

/// <summary>
/// Runs the downloads of <c>aio fetch</c> on the asyncio loop: one task per URL in a task group, at most
/// <see cref="FetchOptions.Concurrency"/> at once and <see cref="FetchOptions.PerHost"/> per host (semaphores),
/// requests paced by an <see cref="AsyncLimiter"/> when <see cref="FetchOptions.Rate"/> is set.
/// </summary>
internal static class Fetcher
{
    /// <summary>Downloads every URL; the results are in the order of the URLs.</summary>
    /// <remarks>Cancelling the calling task cancels every download; their <c>.part</c> files stay.</remarks>
    public static async Coroutine<IReadOnlyList<FetchResult>> RunAsync(FetchOptions options, IFetchProgress progress)
    {
        Directory.CreateDirectory(options.OutDir);
        using var source = new HttpSource(options.Insecure, options.PerHost);
        AsyncLimiter? limiter = options.Rate is { } rate ? new AsyncLimiter(rate.Count, rate.PeriodSeconds) : null;
        var run = new FetchRun(options, source, progress, limiter, new ReservedNames(options.OutDir),
            new RetryPolicy(options.BackoffBaseSeconds, options.BackoffCapSeconds));
        var slots = new AsyncSemaphore(options.Concurrency);
        var hosts = new Dictionary<string, AsyncSemaphore>(StringComparer.OrdinalIgnoreCase);
        var results = new FetchResult[options.Urls.Count];
        await TaskGroup.Run(group =>
        {
            for (int i = 0; i < options.Urls.Count; i++) group.CreateTask(One(i));
        });
        return results;

        async Coroutine One(int index)
        {
            Uri url = options.Urls[index];
            if (!hosts.TryGetValue(url.IdnHost, out AsyncSemaphore? host))
            {
                hosts[url.IdnHost] = host = new AsyncSemaphore(options.PerHost);
            }
            // The host's slot first: a download waiting for a busy host must not hold one of the global slots.
            using (await host.AcquireAsync())
            using (await slots.AcquireAsync())
            {
                results[index] = await new Download(run, index, url).RunAsync();
            }
        }
    }
}
