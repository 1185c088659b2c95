using System.Runtime.InteropServices;

namespace Asyncio;

/// <summary>
/// The children this program started with <see cref="Aio.CreateSubprocessExec"/> or <see cref="Aio.CreateSubprocessShell"/>
/// and has not reaped yet, so that none outlives it: <see cref="AppDomain.ProcessExit"/> kills those still there
/// (a loop's <see cref="EventLoop.Close"/> kills its own earlier). Reaping goes through here too, under the same
/// lock, so that a pid is never signalled after it was reaped and perhaps reused by an unrelated process.
/// </summary>
/// <remarks>
/// As with the process pool's workers, only an ending that raises <c>ProcessExit</c> (returning from <c>Main</c>,
/// <see cref="Environment.Exit"/>) runs the hook; SIGKILL or a crash leave the children running, as they would
/// leave a Python program's. The hook is installed with the first child.
/// </remarks>
internal static class LiveChildProcesses
{
    private const int SIGKILL = 9;

    /// <summary>Started and not yet reaped; guarded by itself.</summary>
    private static readonly HashSet<int> s_pids = [];

    /// <summary>Set once the program is ending: a child started after that is killed at once.</summary>
    private static bool s_ending;

    /// <summary>Set when the exit hook is installed.</summary>
    private static bool s_hooked;

    /// <summary>Tracks a child just started; kills it at once if the program is already ending.</summary>
    public static void Add(int pid)
    {
        lock (s_pids)
        {
            if (!s_hooked)
            {
                s_hooked = true;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
            }
            s_pids.Add(pid);
            if (s_ending) _ = SpawnNative.kill(pid, SIGKILL);
        }
    }

    /// <summary>Signals a child not reaped yet; false if it was reaped (its pid may belong to someone else now).</summary>
    public static bool Signal(int pid, int signal)
    {
        lock (s_pids)
        {
            if (!s_pids.Contains(pid)) return false;
            if (SpawnNative.kill(pid, signal) != 0) throw SpawnNative.Error("kill", Marshal.GetLastPInvokeError());
            return true;
        }
    }

    /// <summary>
    /// Reaps <paramref name="pid"/> if it has exited (or waits for it with <paramref name="block"/>): its return
    /// code, or null while it runs. A child someone else reaped gives 255, as asyncio reports an unknown child.
    /// </summary>
    public static int? TryReap(int pid, bool block)
    {
        lock (s_pids)
        {
            int result;
            int status;
            do result = SpawnNative.waitpid(pid, out status, block ? 0 : SpawnNative.WNOHANG);
            while (LinuxNative.Interrupted(result));
            if (result == 0) return null;
            s_pids.Remove(pid);
            return result == pid ? SpawnNative.ReturnCodeOf(status) : 255;
        }
    }

    /// <summary>Kills every child not reaped yet; from here on, the program is ending.</summary>
    private static void KillAll()
    {
        lock (s_pids)
        {
            s_ending = true;
            foreach (int pid in s_pids) _ = SpawnNative.kill(pid, SIGKILL);   // a failure changes nothing now
        }
    }
}
