using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Asyncio;

/// <summary>
/// The worker side of "no worker outlives its program": a background thread of each worker process that ends
/// the process as soon as the program that started it is gone, even in the middle of a job.
/// </summary>
/// <remarks>
/// <para>The parent kills its workers when it exits normally or on SIGTERM (<see cref="LiveWorkerProcesses"/>), but
/// a parent killed with SIGKILL, crashing, or ended by a signal it does not hook runs no code at all. Closed
/// standard input cannot tell either: it is also how <c>Shutdown(wait: false)</c> asks a worker to finish its job
/// and then exit, and a busy worker does not read it.</para>
/// <para>On Unix a process whose parent dies is re-parented (to init or a subreaper), so <c>getppid()</c> stops
/// being the pool's process id; it is a cheap system call, polled every <see cref="PollInterval"/>. It is compared
/// with the id the parent passed on the command line rather than with a first reading, so a parent that died
/// before this thread started is noticed too. This relies on <c>dotnet</c> running the worker in the process the
/// pool started (the host loads the runtime in-process), which it does. On Windows the parent's handle is waited on.</para>
/// <para>The process ends with <see cref="Environment.Exit"/>, so the worker's own <c>ProcessExit</c> hooks run:
/// the workers of a pool created inside a job die with it at once.</para>
/// </remarks>
internal static class ParentWatchdog
{
    /// <summary>How often the parent is checked on Unix: well under the second a worker may outlive its parent.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The exit code of a worker that ended because its parent was gone (nobody waits for it; a person reading an exit status might).</summary>
    private const int ParentGoneExitCode = 3;

    /// <summary>Starts watching the process <paramref name="parentId"/>.</summary>
    public static void Start(int parentId)
    {
        var thread = new Thread(() => Watch(parentId)) { IsBackground = true, Name = "ProcessPoolExecutor parent watchdog" };
        thread.UnsafeStart();
    }

    private static void Watch(int parentId)
    {
        if (OperatingSystem.IsWindows()) WaitForExit(parentId);
        else while (getppid() == parentId) Thread.Sleep(PollInterval);
        Environment.Exit(ParentGoneExitCode);
    }

    /// <summary>Blocks until the process <paramref name="id"/> has exited (at once if it is not there).</summary>
    private static void WaitForExit(int id)
    {
        try
        {
            using Process parent = Process.GetProcessById(id);
            parent.WaitForExit();
        }
        catch (ArgumentException)
        {
            // No such process: the parent is gone already.
        }
    }

    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int getppid();
}
