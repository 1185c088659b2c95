using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Asyncio.Tests.Cli;

/// <summary>A fact that needs tmux (a real terminal for a child process); skipped when tmux is not installed.</summary>
public sealed class TmuxFactAttribute : FactAttribute
{
    public TmuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "needs Linux";
        else if (TmuxTerminal.Find() is null) Skip = "needs tmux on the PATH";
    }
}

/// <summary>
/// <c>aio fetch</c> in a real terminal: run inside a detached tmux session (a private tmux server, killed in the
/// end whatever happens), the screen is read with <c>tmux capture-pane</c> while the files download (the bars,
/// the total, the ETA) and after (the summary table).
/// </summary>
public sealed class FetchTerminalTests : FetchSandbox
{
    [TmuxFact]
    public void InATerminal_ShowsBarsTotalAndEta_ThenTheSummaryTable()
    {
        Uri[] urls = [.. Enumerable.Range(0, 3).Select(i => Server.Serve($"/f{i}.bin",
            new ServedFile { Content = FetchTests.Bytes(1_500_000, i), ChunkDelay = TimeSpan.FromMilliseconds(30) }))];
        string command = $"{WorkerLauncher.DotnetHost()} {FetchInterruptTests.AioDll} fetch -j 3 --per-host 3 -o {Dir} {string.Join(' ', urls.Select(u => u.AbsoluteUri))}";
        using var tmux = new TmuxTerminal();
        tmux.Start($"{command}; echo AIO-EXIT=$?; sleep 600");

        // The total's line: bar, percentage, bytes of all, speed, ETA; then a bar per active download.
        var total = new Regex(@"total 0/3 files +━+ +\d+% +[\d.]+/4\.3 MiB +[\d.]+ [KM]iB/s +\d\d:\d\d:\d\d");
        var bar = new Regex(@"f\d\.bin +━+ +\d+% +[\d.]+/1\.4 MiB");
        string during = tmux.WaitFor(screen => total.IsMatch(screen) && bar.Count(screen) == 3, TimeSpan.FromSeconds(60));
        Assert.DoesNotContain("AIO-EXIT", during, StringComparison.Ordinal);   // seen while downloading

        string after = tmux.WaitFor(screen => screen.Contains("AIO-EXIT=", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Contains("AIO-EXIT=0", after, StringComparison.Ordinal);
        Assert.Matches(@"╭─+┬", after);                                                       // the table's rounded border
        Assert.Matches(@"│ status +│ +size │ file +│ note", after);
        for (int i = 0; i < 3; i++) Assert.Matches($@"│ downloaded │ +1\.4 MiB │ f{i}\.bin", after);
        Assert.Contains("3 downloaded, 0 skipped, 0 failed", after, StringComparison.Ordinal);
        Assert.DoesNotContain("total 3/3", after, StringComparison.Ordinal);                  // the progress cleared itself
        for (int i = 0; i < 3; i++) Assert.Equal(FetchTests.Bytes(1_500_000, i), File.ReadAllBytes(Path.Combine(Dir, $"f{i}.bin")));
    }
}

/// <summary>A detached tmux session of 120 x 40 on a tmux server of its own; disposing kills that server.</summary>
internal sealed class TmuxTerminal : IDisposable
{
    private readonly string _socket = "aio-test-" + Guid.NewGuid().ToString("N");
    private readonly string _tmux = Find() ?? throw new InvalidOperationException("tmux is not installed");

    /// <summary>The path of tmux on the PATH, or null.</summary>
    public static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "tmux")).FirstOrDefault(File.Exists);

    /// <summary>Runs <paramref name="shellCommand"/> (sh syntax) in a new session, in a UTF-8, 256-colour terminal.</summary>
    public void Start(string shellCommand) =>
        Tmux("new-session", "-d", "-x", "120", "-y", "40", "-s", "aio",
            "env", "TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "sh", "-c", shellCommand);

    /// <summary>The screen as text.</summary>
    public string Capture() => Tmux("capture-pane", "-p", "-t", "aio");

    /// <summary>Captures the screen until <paramref name="done"/> holds for it; fails the test after <paramref name="limit"/>.</summary>
    public string WaitFor(Func<string, bool> done, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            string screen = Capture();
            if (done(screen)) return screen;
            Assert.True(watch.Elapsed < limit, $"the terminal never showed what was expected; it shows:\n{screen}");
            Thread.Sleep(50);
        }
    }

    /// <summary>Kills the tmux server, and the session's processes with it.</summary>
    public void Dispose()
    {
        try
        {
            Tmux("kill-server");
        }
        catch (InvalidOperationException)
        {
            // Already gone (the session never started).
        }
    }

    private string Tmux(params string[] args)
    {
        var info = new ProcessStartInfo(_tmux) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["-L", _socket, "-f", "/dev/null", .. args]) info.ArgumentList.Add(arg);
        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill();
            throw new InvalidOperationException($"tmux {string.Join(' ', args)} did not end");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"tmux {string.Join(' ', args)}: {error.Result.Trim()}");
        return output.Result;
    }
}
