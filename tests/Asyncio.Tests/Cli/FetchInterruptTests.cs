using System.Diagnostics;
using System.Runtime.InteropServices;
using Asyncio.Tests.Executors;

namespace Asyncio.Tests.Cli;

/// <summary>
/// Ctrl-C during <c>aio fetch</c>, on a child process (the <c>aio</c> built next to the tests) sent a real SIGINT:
/// it exits 130 and keeps the <c>.part</c> and its sidecar for the next run.
/// </summary>
public sealed class FetchInterruptTests : FetchSandbox
{
    private const int Sigint = 2;

    [LinuxFact]
    public void CtrlC_Exits130_KeepsThePartForTheNextRun()
    {
        byte[] content = FetchTests.Bytes(2_000_000);
        var served = new ServedFile { Content = content, ChunkDelay = TimeSpan.FromMilliseconds(20) };
        Uri url = Server.Serve("/slow.bin", served);
        string part = Path.Combine(Dir, "slow.bin.part");
        using Process child = StartAio("fetch", "-q", "-o", Dir, url.AbsoluteUri);
        try
        {
            WaitWhileRunning(child, () => File.Exists(part) && new FileInfo(part).Length >= 50_000, "no .part grew in time");
            Assert.Equal(0, kill(child.Id, Sigint));
            Assert.True(child.WaitForExit(TimeSpan.FromSeconds(60)), "aio fetch did not exit after Ctrl-C");
            Assert.Equal(130, child.ExitCode);
            Assert.Contains("interrupted", child.StandardError.ReadToEnd(), StringComparison.Ordinal);
        }
        finally
        {
            if (!child.HasExited) child.Kill();
        }
        Assert.True(File.Exists(part));
        Assert.True(File.Exists(Path.Combine(Dir, "slow.bin.part.json")));
        Assert.False(File.Exists(Path.Combine(Dir, "slow.bin")));

        served.ChunkDelay = TimeSpan.Zero;
        var (code, _, _) = CommandLineTests.Run($"fetch -q -o {Dir} {url}");
        Assert.Equal(0, code);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(Dir, "slow.bin")));
    }

    [LinuxFact]
    public void CtrlC_DuringTheDemo_Exits130_TheDemoServerDoesNotTakeIt()
    {
        using Process child = StartAio("fetch", "--demo", "-o", Dir);
        try
        {
            WaitWhileRunning(child, () => Directory.EnumerateFiles(Dir, "*.part").Any(p => new FileInfo(p).Length > 0),
                "the demo downloaded nothing in time");
            Assert.Equal(0, kill(child.Id, Sigint));
            Assert.True(child.WaitForExit(TimeSpan.FromSeconds(30)), "aio fetch --demo did not exit after Ctrl-C");
            Assert.Equal(130, child.ExitCode);
            Assert.Contains("interrupted", child.StandardError.ReadToEnd(), StringComparison.Ordinal);
            // Kestrel is quiet: the demo's own lines only, no "Now listening on" or log lines.
            string output = child.StandardOutput.ReadToEnd();
            Assert.StartsWith("aio fetch --demo: serving 6 files on http://127.0.0.1:", output, StringComparison.Ordinal);
            Assert.DoesNotContain("Microsoft.", output, StringComparison.Ordinal);
            Assert.DoesNotContain("listening", output, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            if (!child.HasExited) child.Kill();
        }
    }

    /// <summary>
    /// Polls until <paramref name="done"/> holds, failing with <paramref name="failure"/> if <paramref name="child"/>
    /// exits first or 60 s pass; <paramref name="meanwhile"/> runs at each poll (an assertion that must hold throughout).
    /// </summary>
    internal static void WaitWhileRunning(Process child, Func<bool> done, string failure, Action? meanwhile = null)
    {
        var deadline = Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60) && !child.HasExited, failure);
            meanwhile?.Invoke();
            Thread.Sleep(20);
        }
    }

    /// <summary>Starts <c>aio ARGS</c> with the <c>dotnet</c> that runs the tests, SIGINT at its default disposition.</summary>
    internal static Process StartAio(params string[] args)
    {
        string dotnet = WorkerLauncher.DotnetHost();
        // GNU env restores SIGINT's default disposition, which a background job of a non-interactive shell lacks.
        var info = new ProcessStartInfo("env") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in (string[])["--default-signal=INT", dotnet, AioDll, .. args])
        {
            info.ArgumentList.Add(arg);
        }
        return Process.Start(info)!;
    }

    /// <summary>The <c>aio</c> built next to the tests.</summary>
    internal static string AioDll => Path.Combine(AppContext.BaseDirectory, "aio.dll");

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
