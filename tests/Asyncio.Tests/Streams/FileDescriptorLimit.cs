using System.Runtime.InteropServices;

namespace Asyncio.Tests.Streams;

/// <summary>The process's descriptor limit (RLIMIT_NOFILE), raised for tests that hold thousands of sockets.</summary>
internal static class FileDescriptorLimit
{
    private const int RLIMIT_NOFILE = 7;   // Linux, every architecture .NET runs on

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrlimit(int resource, out RLimit limit);

    [DllImport("libc", SetLastError = true)]
    private static extern int setrlimit(int resource, in RLimit limit);

    /// <summary>
    /// Makes sure the soft limit is at least <paramref name="needed"/>, raising the hard limit too when allowed (root);
    /// false, with the reason, when it cannot be.
    /// </summary>
    public static bool TryRaiseTo(int needed, out string? why)
    {
        why = null;
        if (!OperatingSystem.IsLinux())
        {
            why = "RLIMIT_NOFILE is read here on Linux only";
            return false;
        }
        if (getrlimit(RLIMIT_NOFILE, out RLimit limit) != 0)
        {
            why = $"getrlimit failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}";
            return false;
        }
        if (limit.Current >= (ulong)needed) return true;
        var raised = new RLimit { Current = (ulong)needed, Maximum = Math.Max(limit.Maximum, (ulong)needed) };
        if (setrlimit(RLIMIT_NOFILE, raised) == 0) return true;
        why = $"{needed} descriptors are needed, the limit is {limit.Current} (hard {limit.Maximum}) and raising it failed: "
            + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
        return false;
    }
}

/// <summary>A Linux fact skipped, with the reason, when the process cannot have <see cref="Needed"/> descriptors open.</summary>
public sealed class DescriptorsFactAttribute : FactAttribute
{
    public DescriptorsFactAttribute(int needed)
    {
        Needed = needed;
        if (!FileDescriptorLimit.TryRaiseTo(needed, out string? why)) Skip = why;
    }

    /// <summary>How many descriptors the test holds at once.</summary>
    public int Needed { get; }
}
