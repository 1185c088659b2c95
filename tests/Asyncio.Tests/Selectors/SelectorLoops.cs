namespace Asyncio.Tests.Selectors;

/// <summary>Loops on a chosen selector, named as the tests' theory data names them.</summary>
internal static class SelectorLoops
{
    /// <summary>The selectors this platform has, as theory data.</summary>
    public static TheoryData<string> Available()
    {
        var data = new TheoryData<string> { "wait" };
        if (OperatingSystem.IsLinux()) data.Add("epoll");
        return data;
    }

    /// <summary>A new loop on <paramref name="selector"/> (<c>wait</c> or <c>epoll</c>).</summary>
    public static EventLoop New(string selector, bool virtualTime = false) =>
        new(virtualTime ? new VirtualTimeProvider() : TimeProvider.System, Kind(selector));

    /// <summary>A new real-time loop on the epoll selector.</summary>
    public static EventLoop NewEpoll(bool virtualTime = false) => New("epoll", virtualTime);

    private static SelectorKind Kind(string selector) => selector switch
    {
        "wait" => SelectorKind.Wait,
        "epoll" => SelectorKind.Epoll,
        _ => throw new ArgumentException($"unknown selector {selector}", nameof(selector)),
    };

    /// <summary>
    /// Runs <paramref name="main"/> to completion and closes the loop; a real-time watchdog stops the loop after
    /// <paramref name="limitSeconds"/>, so that a lost wake-up fails the test instead of hanging the suite.
    /// </summary>
    public static T Run<T>(EventLoop loop, Func<Coroutine<T>> main, double limitSeconds = 20)
    {
        using var watchdog = new Timer(_ => loop.CallSoonThreadsafe(loop.Stop), null,
            TimeSpan.FromSeconds(limitSeconds), Timeout.InfiniteTimeSpan);
        try
        {
            return loop.RunUntilComplete(InsideTheLoop(main));
        }
        finally
        {
            watchdog.Dispose();
            loop.Close();
        }
    }

    /// <summary>Calls <paramref name="main"/> in the loop's task, where <see cref="Aio.GetRunningLoop"/> works.</summary>
    private static async Coroutine<T> InsideTheLoop<T>(Func<Coroutine<T>> main) => await main();

    /// <inheritdoc cref="Run{T}(EventLoop, Func{Coroutine{T}}, double)"/>
    public static void Run(EventLoop loop, Func<Coroutine> main, double limitSeconds = 20) =>
        Run(loop, async () => { await main(); return 0; }, limitSeconds);

    /// <summary>How many descriptors this process has open (Linux: the entries of <c>/proc/self/fd</c>).</summary>
    public static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;
}
