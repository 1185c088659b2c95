using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Asyncio;

/// <summary>
/// The worker processes of every <see cref="ProcessPoolExecutor"/> in this program that have not exited yet, so
/// that they can be killed when the program exits or is terminated: no worker outlives the program that started
/// it, however busy it is and whether or not its pool was shut down.
/// <para>asyncio: the role of <c>concurrent.futures.process._python_exit</c>, which runs at interpreter exit; Python
/// waits there for the running jobs, this kills them (a job cannot be resumed by a program that is gone).</para>
/// </summary>
/// <remarks>
/// <para>How a program ends decides which hook sees it. Returning from <c>Main</c>, <see cref="Environment.Exit"/>,
/// and SIGINT or SIGQUIT left to the runtime's default handling raise <see cref="AppDomain.ProcessExit"/>: the
/// workers are killed there. SIGTERM (which the .NET 10 runtime no longer turns into <c>ProcessExit</c>), SIGKILL
/// and a crash run nothing here: for them each worker watches its parent itself and exits within a tenth of a
/// second once it is gone (<see cref="ParentWatchdog"/>).</para>
/// <para>SIGTERM is deliberately not hooked: an application that cancels it to shut down gracefully (the Generic
/// Host does) keeps its running process jobs until it exits, and the workers go then. A hook could not know:
/// signal handlers run newest first, and this one, registered when the first worker starts, would usually run
/// before the application's.</para>
/// <para>The hook is installed when the first worker starts: a program that never uses a process pool is
/// left untouched.</para>
/// </remarks>
internal static class LiveWorkerProcesses
{
    /// <summary>Started and not yet exited; guarded by itself.</summary>
    private static readonly HashSet<Process> s_processes = new();

    /// <summary>Set (under the lock) once the program is ending: a worker started after that is killed at once.</summary>
    private static bool s_ending;

    /// <summary>Set (under the lock) when the exit hook is installed, so it is installed once.</summary>
    private static bool s_hooked;

    /// <summary>Tracks a worker that has just started; kills it at once if the program is already ending.</summary>
    public static void Add(Process process)
    {
        lock (s_processes)
        {
            if (!s_ending)
            {
                Hook();
                s_processes.Add(process);
                return;
            }
        }
        Kill(process);
    }

    /// <summary>Stops tracking a worker that has exited.</summary>
    public static void Remove(Process process)
    {
        lock (s_processes) s_processes.Remove(process);
    }

    /// <summary>Kills a worker process; one that has already exited (or been disposed) is left as it is.</summary>
    public static void Kill(Process process)
    {
        try
        {
            process.Kill();
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // Already exited, or its Process object disposed because it has.
        }
    }

    /// <summary>Kills every tracked worker; from here on, the program is ending.</summary>
    private static void KillAll()
    {
        Process[] processes;
        lock (s_processes)
        {
            s_ending = true;
            processes = s_processes.ToArray();
        }
        foreach (Process process in processes) Kill(process);
    }

    /// <summary>Installs the exit hook once (the caller holds the lock).</summary>
    private static void Hook()
    {
        if (s_hooked) return;
        s_hooked = true;
        AppDomain.CurrentDomain.ProcessExit += static (_, _) => KillAll();
    }
}
