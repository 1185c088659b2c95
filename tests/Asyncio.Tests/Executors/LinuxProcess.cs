using System.Runtime.InteropServices;

namespace Asyncio.Tests.Executors;

/// <summary>
/// A process seen in <c>/proc</c>, known by its id and start time, so that a process that later gets the same id
/// is never mistaken for it (nor signalled in its place). A zombie (exited, not yet reaped by whoever adopted it)
/// counts as gone: it runs nothing and holds no file open.
/// </summary>
public sealed class LinuxProcess
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    /// <summary>How often <see cref="WaitUntilGone"/> looks: a process that is not our child gives no event to wait on.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>When the process started, in clock ticks after boot (<c>stat</c> field 22); null if it was already gone.</summary>
    private readonly string? _startTime;

    private LinuxProcess(int id)
    {
        Id = id;
        _startTime = ReadStat(id) is { } fields ? fields[19] : null;
    }

    public int Id { get; }

    /// <summary>The process <paramref name="id"/> as it is now (already gone if there is none).</summary>
    public static LinuxProcess Find(int id) => new(id);

    /// <summary>True once the process has exited (zombie or reaped).</summary>
    public bool IsGone => ReadStat(Id) is not { } fields || fields[19] != _startTime || fields[0] is "Z" or "X";

    /// <summary>Sends <paramref name="signal"/> unless the process is gone.</summary>
    public void Signal(int signal)
    {
        // A failure means the process has just gone (ESRCH), which is what the callers wait for anyway.
        if (!IsGone) _ = kill(Id, signal);
    }

    /// <summary>Waits until every process is gone; false if one is still there after <paramref name="timeout"/>.</summary>
    public static bool WaitUntilGone(IEnumerable<LinuxProcess> processes, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (processes.Any(p => !p.IsGone))
        {
            if (Environment.TickCount64 > deadline) return false;
            Thread.Sleep(PollInterval);
        }
        return true;
    }

    /// <summary>The fields of <c>/proc/ID/stat</c> after the command name (state first), or null if there is no such process.</summary>
    private static string[]? ReadStat(int id)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{id}/stat");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return null;
        }
        // "id (command) state ppid ...": the command may hold spaces and parentheses, so split after the last ')'.
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
