namespace Asyncio.Tests.Selectors;

/// <summary>Loops on a chosen selector, named as the tests' theory data names them.</summary>
internal static class SelectorLoops
{
    /// <summary>The selectors this platform has, as theory data.</summary>
    public static TheoryData<string> Available()
    {
        var data = new TheoryData<string> { "wait", "portable" };
        if (OperatingSystem.IsLinux()) data.Add("epoll");
        return data;
    }

    /// <summary>The selectors that watch descriptors (readers, writers, sockets) on this platform, as theory data.</summary>
    public static TheoryData<string> WithIo()
    {
        var data = new TheoryData<string> { "portable" };
        if (OperatingSystem.IsLinux()) data.Add("epoll");
        return data;
    }

    /// <summary>A new selector of <paramref name="selector"/>'s kind, by itself.</summary>
    public static ISelector NewSelector(string selector) => DefaultSelector.Create(Kind(selector));

    /// <summary>A new loop on <paramref name="selector"/> (<c>wait</c>, <c>epoll</c> or <c>portable</c>).</summary>
    public static EventLoop New(string selector, bool virtualTime = false) =>
        new(virtualTime ? new VirtualTimeProvider() : TimeProvider.System, Kind(selector));

    /// <summary>
    /// The I/O selector the socket, transport and stream tests run on: epoll on Linux, portable elsewhere, or the
    /// one a parity run chose with <see cref="Use"/> (it flows with the test's execution context).
    /// </summary>
    private static readonly AsyncLocal<string?> s_ioSelector = new();

    /// <summary>The I/O selector in effect (see <see cref="Use"/>).</summary>
    public static string IoSelector => s_ioSelector.Value ?? (OperatingSystem.IsLinux() ? "epoll" : "portable");

    /// <summary>Makes <see cref="NewEpoll"/> give loops on <paramref name="selector"/> until disposed.</summary>
    public static IDisposable Use(string selector)
    {
        Kind(selector);
        string? previous = s_ioSelector.Value;
        s_ioSelector.Value = selector;
        return new Restore(() => s_ioSelector.Value = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>
    /// A new loop on the I/O selector in effect (<see cref="IoSelector"/>): epoll, unless a parity run chose the
    /// portable one. The name stays from when epoll was the only I/O selector.
    /// </summary>
    public static EventLoop NewEpoll(bool virtualTime = false) => New(IoSelector, virtualTime);

    private static SelectorKind Kind(string selector) => selector switch
    {
        "wait" => SelectorKind.Wait,
        "epoll" => SelectorKind.Epoll,
        "portable" => SelectorKind.Portable,
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

    /// <summary>
    /// How many sockets, pipes and anonymous inodes (epoll, eventfd, pidfd) this process has open (Linux: the entries
    /// of <c>/proc/self/fd</c>), the kinds the library opens. Files are not counted: the runtime opens one or two for
    /// each assembly it loads, and a test running before may still load some on a thread of its own.
    /// </summary>
    public static int OpenDescriptors() => DescriptorTargets().Count(target => !IsFile(target));

    /// <summary>True for a descriptor of a file (its target is a path), which <see cref="OpenDescriptors"/> does not count.</summary>
    private static bool IsFile(string target) => target.StartsWith('/');

    /// <summary>What each open descriptor refers to: <c>socket:[123]</c>, <c>pipe:[456]</c>, <c>anon_inode:[eventpoll]</c>, a path.</summary>
    private static List<string> DescriptorTargets()
    {
        var targets = new List<string>();
        foreach (string path in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                targets.Add(new FileInfo(path).LinkTarget ?? "?");
            }
            catch (IOException)
            {
                // Closed while listed (the listing's own descriptor among them).
            }
        }
        return targets;
    }

    /// <summary>
    /// Asserts that fewer than <paramref name="margin"/> descriptors were opened since <paramref name="before"/> was
    /// counted. A count over the margin is read again for up to 3 s (a close can still be on its way on another thread;
    /// no garbage is collected, so a socket left to its finalizer still counts), and the failure says what kinds of
    /// descriptors are open, so that a leak names itself.
    /// </summary>
    public static void AssertFewNewDescriptors(int before, int margin, string context = "")
    {
        long deadline = Environment.TickCount64 + 3000;
        int after = OpenDescriptors();
        while (after - before >= margin && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(50);
            after = OpenDescriptors();
        }
        Assert.True(after - before < margin,
            $"{context}{before} descriptors open before, {after} after; open now: {DescribeOpenDescriptors()}");
    }

    /// <summary>The kinds of this process's open descriptors with their counts: <c>socket 12, pipe 4, ...</c>.</summary>
    private static string DescribeOpenDescriptors()
    {
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (string target in DescriptorTargets())
        {
            // "socket:[123]" and "pipe:[456]" by their kind; anonymous inodes ("anon_inode:[eventpoll]") whole.
            string kind = IsFile(target) ? "file (not counted)"
                : target.StartsWith("socket:", StringComparison.Ordinal) || target.StartsWith("pipe:", StringComparison.Ordinal)
                    ? target[..target.IndexOf(':')]
                    : target;
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }
        return string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}"));
    }
}
