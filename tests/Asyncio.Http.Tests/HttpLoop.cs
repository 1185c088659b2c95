namespace Asyncio.Http.Tests;

/// <summary>Runs a test's coroutine on a real-time loop (HTTP runs in real time), with a watchdog.</summary>
internal static class HttpLoop
{
    /// <summary>
    /// Runs <paramref name="main"/> to completion on a new real-time loop and closes it; a watchdog stops the loop
    /// after <paramref name="limitSeconds"/>, so that a lost wake-up fails the test instead of hanging the suite.
    /// </summary>
    public static T Run<T>(Func<Coroutine<T>> main, double limitSeconds = 30, EventLoop? loop = null)
    {
        loop ??= Aio.NewEventLoop();
        using var watchdog = new Timer(_ => loop.CallSoonThreadsafe(loop.Stop), null,
            TimeSpan.FromSeconds(limitSeconds), Timeout.InfiniteTimeSpan);
        try
        {
            return loop.RunUntilComplete(Inside(main));
        }
        finally
        {
            watchdog.Dispose();
            loop.Close();
        }
    }

    /// <inheritdoc cref="Run{T}(Func{Coroutine{T}}, double, EventLoop?)"/>
    public static void Run(Func<Coroutine> main, double limitSeconds = 30, EventLoop? loop = null) =>
        Run(async () => { await main(); return 0; }, limitSeconds, loop);

    /// <summary>Calls <paramref name="main"/> inside the loop's task, where the running loop is known.</summary>
    private static async Coroutine<T> Inside<T>(Func<Coroutine<T>> main) => await main();

    /// <summary>Seconds of real time since <paramref name="start"/> (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public static double Since(long start) => System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds;
}
