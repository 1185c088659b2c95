namespace Asyncio.Tests.Executors;

/// <summary>A fact that needs Linux (signals by number, <c>/proc</c>); skipped elsewhere.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "needs Linux: POSIX signals and /proc";
    }
}
