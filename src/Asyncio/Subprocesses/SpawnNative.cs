using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Asyncio;

/// <summary>
/// The libc calls the subprocess layer needs (Linux): pipes, <c>posix_spawn</c> with its file actions and
/// attributes, reaping, signals and pidfds. Bound directly, as the selector's calls are; buffers are passed as
/// <c>ref byte</c> or native memory, which keeps the assembly free of unsafe code.
/// </summary>
internal static class SpawnNative
{
    private const string Libc = "libc";

    public const int ECHILD = 10;
    public const int ESRCH = 3;

    /// <summary>open/pipe2/fcntl: close on exec (x86-64 and arm64 share the generic value).</summary>
    public const int O_CLOEXEC = 0x80000;

    /// <summary>open: read and write.</summary>
    public const int O_RDWR = 2;

    /// <summary>fcntl: duplicate to the lowest free descriptor at or above the argument, close-on-exec.</summary>
    public const int F_DUPFD_CLOEXEC = 1030;

    /// <summary>posix_spawnattr_setflags: reset the signals of <c>setsigdefault</c> to their default action.</summary>
    public const short POSIX_SPAWN_SETSIGDEF = 0x04;

    /// <summary>posix_spawnattr_setflags: give the child the signal mask of <c>setsigmask</c>.</summary>
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;

    /// <summary>waitpid: do not block.</summary>
    public const int WNOHANG = 1;

    /// <summary>waitid: wait for children that exited.</summary>
    public const int WEXITED = 4;

    /// <summary>waitid: leave the child waitable (a zombie), so that only the loop reaps it.</summary>
    public const int WNOWAIT = 0x01000000;

    /// <summary>waitid: the id is a process id.</summary>
    public const int P_PID = 1;

    /// <summary>The system call number of <c>pidfd_open</c>, the same on every Linux architecture.</summary>
    public const nint SYS_pidfd_open = 434;

    /// <summary>Generous sizes for glibc's opaque structures (80, 336 and 128 bytes on x86-64), allocated natively.</summary>
    public const int OpaqueStructSize = 1024;

    /// <summary><c>siginfo_t</c> is 128 bytes on Linux.</summary>
    public const int SigInfoSize = 128;

    [DllImport(Libc, SetLastError = true)]
    public static extern int pipe2(ref int fds, int flags);

    [DllImport(Libc, SetLastError = true)]
    public static extern int fcntl(int fd, int cmd, int arg);

    [DllImport(Libc, SetLastError = true)]
    public static extern nint read(SafeFileHandle fd, ref byte buf, nint count);

    [DllImport(Libc, SetLastError = true)]
    public static extern nint write(SafeFileHandle fd, ref byte buf, nint count);

#pragma warning disable CA2101 // every string below is marshalled as UTF-8 explicitly, which is what Linux expects
    [DllImport(Libc, SetLastError = true)]
    public static extern int access([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int mode);

    [DllImport(Libc)]
    public static extern int posix_spawn(out int pid, [MarshalAs(UnmanagedType.LPUTF8Str)] string path,
        nint fileActions, nint attributes, nint[] argv, nint[] envp);

    [DllImport(Libc)]
    public static extern int posix_spawn_file_actions_init(nint fileActions);

    [DllImport(Libc)]
    public static extern int posix_spawn_file_actions_destroy(nint fileActions);

    [DllImport(Libc)]
    public static extern int posix_spawn_file_actions_adddup2(nint fileActions, int fd, int newFd);

    [DllImport(Libc)]
    public static extern int posix_spawn_file_actions_addopen(nint fileActions, int fd,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport(Libc)]
    public static extern int posix_spawn_file_actions_addchdir_np(nint fileActions, [MarshalAs(UnmanagedType.LPUTF8Str)] string path);

#pragma warning restore CA2101

    [DllImport(Libc)]
    public static extern int posix_spawn_file_actions_addclosefrom_np(nint fileActions, int from);

    [DllImport(Libc)]
    public static extern int posix_spawnattr_init(nint attributes);

    [DllImport(Libc)]
    public static extern int posix_spawnattr_destroy(nint attributes);

    [DllImport(Libc)]
    public static extern int posix_spawnattr_setflags(nint attributes, short flags);

    [DllImport(Libc)]
    public static extern int posix_spawnattr_setsigmask(nint attributes, nint sigmask);

    [DllImport(Libc)]
    public static extern int posix_spawnattr_setsigdefault(nint attributes, nint sigdefault);

    [DllImport(Libc)]
    public static extern int sigemptyset(nint set);

    [DllImport(Libc)]
    public static extern int sigfillset(nint set);

    [DllImport(Libc, SetLastError = true)]
    public static extern int waitpid(int pid, out int status, int options);

    [DllImport(Libc, SetLastError = true)]
    public static extern int waitid(int idType, int id, ref byte info, int options);

    [DllImport(Libc, SetLastError = true)]
    public static extern int kill(int pid, int signal);

    [DllImport(Libc, SetLastError = true)]
    public static extern int syscall(nint number, nint arg1, nint arg2);

    /// <summary>The error of the last call, as an <see cref="IOException"/> naming it and carrying errno as its HResult.</summary>
    public static IOException Error(string call, int errno) =>
        new($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);

    /// <summary>
    /// A wait status as asyncio's <c>returncode</c>: the exit status, or the negated number of the signal that
    /// killed the process (<c>waitstatus_to_exitcode</c>).
    /// </summary>
    public static int ReturnCodeOf(int status)
    {
        int termSignal = status & 0x7f;
        return termSignal == 0 ? (status >> 8) & 0xff : -termSignal;
    }
}
