using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Asyncio.Tests.Loop;

/// <summary>
/// Ctrl-C under <c>Aio.Run</c> (asyncio: <c>Runner._on_sigint</c>), tested on a child process, Asyncio.CtrlCHost,
/// which runs a named scenario and prints how it ended. The tests send it real SIGINTs (Unix only; on Windows they
/// return at once).
/// </summary>
public class CtrlCTests
{
    /// <summary>Bounds for a child's start-up and shutdown on a busy machine; a passing run takes well under a second.</summary>
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public void FirstSigint_CancelsMain_FinallyRuns_RunThrowsKeyboardInterrupt()
    {
        if (OperatingSystem.IsWindows()) return;
        var (exitCode, lines) = InterruptOnce("finally");
        Assert.Equal(130, exitCode);
        Assert.Equal(["ready", "finally ran", "KeyboardInterrupt (inner: CancelledError)"], lines);
    }

    [Fact]
    public void FirstSigint_UnwindsTaskGroupChildren()
    {
        if (OperatingSystem.IsWindows()) return;
        var (exitCode, lines) = InterruptOnce("taskgroup");
        Assert.Equal(130, exitCode);
        Assert.Equal(["ready", "child finally ran", "KeyboardInterrupt (inner: CancelledError)"], lines);
    }

    // As CPython 3.12: the runner turns only a CancelledError into KeyboardInterrupt; a main task that swallows
    // the cancellation and returns gives its result.
    [Fact]
    public void FirstSigint_MainSwallowsTheCancellation_RunReturnsItsResult()
    {
        if (OperatingSystem.IsWindows()) return;
        var (exitCode, lines) = InterruptOnce("swallow");
        Assert.Equal(0, exitCode);
        Assert.Equal(["ready", "caught", "returned swallowed"], lines);
    }

    [Fact]
    public void SecondSigint_EndsTheProcess_WhileCleanupIsBlocked()
    {
        if (OperatingSystem.IsWindows()) return;
        using var child = CtrlCHost.Start("stuck");
        child.WaitForLine("ready");
        child.Interrupt();
        child.WaitForLine("cleanup started");
        child.Interrupt();
        int exitCode = child.WaitForExit();
        Assert.NotEqual(0, exitCode);
        Assert.Equal(["ready", "cleanup started"], child.Lines);
    }

    /// <summary>Runs <paramref name="scenario"/>, sends one SIGINT once it printed "ready", and waits for the end.</summary>
    private static (int ExitCode, IReadOnlyList<string> Lines) InterruptOnce(string scenario)
    {
        using var child = CtrlCHost.Start(scenario);
        child.WaitForLine("ready");
        child.Interrupt();
        int exitCode = child.WaitForExit();
        return (exitCode, child.Lines);
    }

    /// <summary>A running Asyncio.CtrlCHost: its output lines as they arrive, SIGINT, and a kill when disposed.</summary>
    private sealed class CtrlCHost : IDisposable
    {
        private const int Sigint = 2;

        private readonly Process _process;
        private readonly List<string> _lines = [];

        /// <summary>Set when the output closed.</summary>
        private bool _ended;

        private CtrlCHost(Process process) => _process = process;

        /// <summary>The lines printed so far.</summary>
        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines) return _lines.ToArray();
            }
        }

        public static CtrlCHost Start(string scenario)
        {
            var info = new ProcessStartInfo { RedirectStandardOutput = true, UseShellExecute = false };
            // A process started with SIGINT ignored (a background job of a non-interactive shell) passes that on, and
            // .NET, like Python, leaves an ignored SIGINT ignored: GNU env puts the default disposition back.
            if (SigintIgnoredHere())
            {
                info.FileName = "env";
                info.ArgumentList.Add("--default-signal=INT");
                info.ArgumentList.Add(WorkerLauncher.DotnetHost());
            }
            else
            {
                info.FileName = WorkerLauncher.DotnetHost();
            }
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Asyncio.CtrlCHost.dll"));
            info.ArgumentList.Add(scenario);
            var child = new CtrlCHost(new Process { StartInfo = info });
            child._process.OutputDataReceived += (_, e) =>
            {
                lock (child._lines)
                {
                    if (e.Data is null) child._ended = true;
                    else child._lines.Add(e.Data);
                    Monitor.PulseAll(child._lines);
                }
            };
            child._process.Start();
            child._process.BeginOutputReadLine();
            return child;
        }

        /// <summary>Blocks until <paramref name="line"/> was printed; fails if the output ends first.</summary>
        public void WaitForLine(string line)
        {
            DateTime deadline = DateTime.UtcNow + Generous;
            lock (_lines)
            {
                while (!_lines.Contains(line))
                {
                    TimeSpan left = deadline - DateTime.UtcNow;
                    if (_ended || left <= TimeSpan.Zero)
                    {
                        throw new TimeoutException($"no line '{line}'; got [{string.Join(" | ", _lines)}]");
                    }
                    Monitor.Wait(_lines, left);
                }
            }
        }

        /// <summary>Sends SIGINT, as Ctrl-C in a terminal does.</summary>
        public void Interrupt() => Assert.Equal(0, kill(_process.Id, Sigint));

        /// <summary>Waits for the exit and for the last output line; returns the exit code (128 + n when killed by signal n).</summary>
        public int WaitForExit()
        {
            Assert.True(_process.WaitForExit(Generous), $"the child did not exit; output [{string.Join(" | ", Lines)}]");
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited) _process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }
            _process.Dispose();
        }

        private static bool SigintIgnoredHere()
        {
            if (!OperatingSystem.IsLinux()) return false;
            string? mask = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            return mask is not null && (Convert.ToUInt64(mask["SigIgn:".Length..].Trim(), 16) & (1UL << (Sigint - 1))) != 0;
        }

        /// <summary>The <c>dotnet</c> that runs the tests (the one the process pool starts its workers with).</summary>
    
        [DllImport("libc", SetLastError = true)]
        private static extern int kill(int pid, int sig);
    }
}
