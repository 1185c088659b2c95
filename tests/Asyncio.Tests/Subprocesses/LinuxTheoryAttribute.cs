namespace Asyncio.Tests.Subprocesses;

/// <summary>A theory that needs Linux (posix_spawn, pidfd, /proc); skipped elsewhere.</summary>
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "needs Linux: posix_spawn, pidfd and /proc";
    }
}
