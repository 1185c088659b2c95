using Microsoft.Win32.SafeHandles;

namespace Asyncio;

/// <summary>
/// Learns when one child exits without blocking the loop, reaps it on the loop's thread and reports its return
/// code. On Linux 5.3 and later a pidfd, readable once the child exits, is watched by the loop's selector
/// (asyncio: <c>PidfdChildWatcher</c>); where <c>pidfd_open</c> fails, a thread waits for the exit without reaping
/// and posts the news to the loop (asyncio: <c>ThreadedChildWatcher</c>, which reaps on its thread instead).
/// </summary>
/// <remarks>
/// Reaping only on the loop's thread, through <see cref="LiveChildProcesses"/>, is what makes
/// <see cref="Signal"/> safe: until the loop reaps the child, its pid cannot be reused, so a signal never reaches
/// an unrelated process. When the loop closes first, the child is killed and reaped there (<see cref="IClosedWithLoop"/>).
/// </remarks>
internal sealed class ChildWatcher : IClosedWithLoop
{
    private const int SIGKILL = 9;

    /// <summary>Tests turn the pidfd off to exercise the thread; either way is correct, so flipping it races with nothing.</summary>
    internal static bool UsePidfd { get; set; } = true;

    /// <summary>The child's loop.</summary>
    private readonly EventLoop _loop;

    /// <summary>Told the return code, once, on the loop's thread.</summary>
    private readonly Action<int> _onExit;

    /// <summary>The pidfd the selector watches, or null with the thread.</summary>
    private SafeFileHandle? _pidfd;

    /// <summary>The child was reaped (or killed with the loop).</summary>
    private bool _reaped;

    /// <summary>Starts watching <paramref name="pid"/>, a child just spawned and tracked by <see cref="LiveChildProcesses"/>.</summary>
    public ChildWatcher(EventLoop loop, int pid, Action<int> onExit)
    {
        _loop = loop;
        Pid = pid;
        _onExit = onExit;
        loop.OwnUntilClose(this);
        int pidfd = UsePidfd ? (int)SpawnNative.syscall(SpawnNative.SYS_pidfd_open, pid, 0) : -1;
        if (pidfd >= 0)
        {
            _pidfd = new SafeFileHandle(pidfd, ownsHandle: true);   // close-on-exec, as every pidfd
            loop.AddReader(pidfd, Reap);
        }
        else
        {
            new Thread(WaitOnThread) { IsBackground = true, Name = $"aio child watcher {pid}" }.Start();
        }
    }

    /// <summary>The child's pid.</summary>
    public int Pid { get; }

    /// <summary>Whether the watcher uses a pidfd (false: a thread).</summary>
    public bool WatchesPidfd => _pidfd is not null;

    /// <summary>Sends <paramref name="signal"/> to the child.</summary>
    /// <exception cref="InvalidOperationException">The child was reaped (asyncio's <c>ProcessLookupError</c>).</exception>
    public void Signal(int signal)
    {
        if (_reaped || !LiveChildProcesses.Signal(Pid, signal))
            throw new InvalidOperationException($"Process {Pid} has exited (asyncio's ProcessLookupError)");
    }

    /// <summary>Waits on a thread for the exit, leaving the child a zombie so that only the loop reaps it.</summary>
    private void WaitOnThread()
    {
        byte[] info = new byte[SpawnNative.SigInfoSize];
        while (LinuxNative.Interrupted(SpawnNative.waitid(SpawnNative.P_PID, Pid, ref info[0], SpawnNative.WEXITED | SpawnNative.WNOWAIT)))
        {
        }
        try
        {
            _loop.CallSoonThreadsafe(Reap);
        }
        catch (InvalidOperationException)
        {
            // The loop closed meanwhile: it killed and reaped the child itself.
        }
    }

    /// <summary>The child may have exited: reap it and report (a readiness with the child still running is ignored).</summary>
    private void Reap()
    {
        if (_reaped) return;
        if (LiveChildProcesses.TryReap(Pid, block: false) is not { } code) return;
        Finish();
        _loop.Disown(this);
        _onExit(code);
    }

    private void Finish()
    {
        _reaped = true;
        if (_pidfd is null) return;
        _loop.RemoveReader((int)_pidfd.DangerousGetHandle());
        _pidfd.Dispose();
    }

    /// <summary>The loop closes with the child still running: kill it and reap it, so it neither runs on nor stays a zombie.</summary>
    void IClosedWithLoop.CloseWithLoop()
    {
        if (_reaped) return;
        _reaped = true;
        _pidfd?.Dispose();
        // Only a child still tracked is ours to wait for; nothing else reaps it between these two calls, since
        // reaping happens on the loop's thread, and this is that thread at its close.
        if (LiveChildProcesses.Signal(Pid, SIGKILL)) LiveChildProcesses.TryReap(Pid, block: true);
    }
}
