using System.Runtime.InteropServices;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace Asyncio;

/// <summary>
/// The few libc calls the loop needs, bound directly (no native package): the epoll selector's, the socket calls of
/// the stream transports (<see cref="SocketIo"/>), and what the subprocess code shares with them (making a
/// descriptor non-blocking, the common errno values). Buffers are passed as <c>ref byte</c> to their first element: a blittable argument the marshaller pins for the call, which keeps
/// the assembly free of unsafe code.
/// </summary>
internal static class LinuxNative
{
    private const string Libc = "libc";

    /// <summary>Interrupted system call: the call may simply be made again.</summary>
    public const int EINTR = 4;

    /// <summary>A call's result says it failed with <see cref="EINTR"/> (a signal cut it short): it is made again.</summary>
    public static bool Interrupted(nint result) => result < 0 && Marshal.GetLastPInvokeError() == EINTR;

    /// <summary>Bad file descriptor.</summary>
    public const int EBADF = 9;

    /// <summary>Already registered (epoll_ctl ADD).</summary>
    public const int EEXIST = 17;

    /// <summary>Not registered (epoll_ctl MOD/DEL).</summary>
    public const int ENOENT = 2;

    /// <summary>epoll_create1: close the epoll descriptor in a child after exec (as .NET opens all its descriptors).</summary>
    public const int EPOLL_CLOEXEC = 0x80000;

    /// <summary>eventfd: close on exec.</summary>
    public const int EFD_CLOEXEC = 0x80000;

    /// <summary>eventfd: reads and writes never block (a drained counter reads as EAGAIN).</summary>
    public const int EFD_NONBLOCK = 0x800;

    /// <summary>epoll_ctl: watch a new descriptor.</summary>
    public const int EPOLL_CTL_ADD = 1;

    /// <summary>epoll_ctl: stop watching a descriptor.</summary>
    public const int EPOLL_CTL_DEL = 2;

    /// <summary>epoll_ctl: change what a watched descriptor is watched for.</summary>
    public const int EPOLL_CTL_MOD = 3;

    /// <summary>Readable. The kernel also reports EPOLLERR and EPOLLHUP, unasked, as other bits.</summary>
    public const uint EPOLLIN = 0x001;

    /// <summary>Writable.</summary>
    public const uint EPOLLOUT = 0x004;

    /// <summary>
    /// Size of <c>struct epoll_event</c>: the kernel declares it packed on x86 (a 4-byte mask then the 8-byte
    /// data, 12 bytes), naturally aligned elsewhere (16 bytes, the data at offset 8).
    /// </summary>
    public static readonly int EpollEventSize =
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;

    /// <summary>Offset of the 64-bit <c>data</c> field in <c>struct epoll_event</c>.</summary>
    public static readonly int EpollDataOffset = EpollEventSize - 8;

    [DllImport(Libc, SetLastError = true)]
    public static extern OwnedDescriptor epoll_create1(int flags);

    [DllImport(Libc, SetLastError = true)]
    public static extern int epoll_ctl(OwnedDescriptor epfd, int op, int fd, ref byte ev);

    [DllImport(Libc, SetLastError = true)]
    public static extern int epoll_wait(OwnedDescriptor epfd, ref byte events, int maxevents, int timeout);

    [DllImport(Libc, SetLastError = true)]
    public static extern OwnedDescriptor eventfd(uint initval, int flags);

    [DllImport(Libc, SetLastError = true)]
    public static extern nint read(OwnedDescriptor fd, ref byte buf, nint count);

    [DllImport(Libc, SetLastError = true)]
    public static extern nint write(OwnedDescriptor fd, ref byte buf, nint count);

    [DllImport(Libc, SetLastError = true)]
    private static extern int close(int fd);

    /// <summary>send/recv flag: a write to a connection the peer closed fails with EPIPE instead of raising SIGPIPE.</summary>
    public const int MSG_NOSIGNAL = 0x4000;

    /// <summary>fcntl: read the descriptor's status flags.</summary>
    public const int F_GETFL = 3;

    /// <summary>fcntl: set the descriptor's status flags.</summary>
    public const int F_SETFL = 4;

    /// <summary>Status flag: reads and writes that cannot proceed fail with EAGAIN instead of blocking.</summary>
    public const int O_NONBLOCK = 0x800;

    /// <summary>Resource temporarily unavailable: a non-blocking call that would have to wait.</summary>
    public const int EAGAIN = 11;

    // Socket calls take the socket's SafeSocketHandle, which the marshaller holds (AddRef/Release) for the call:
    // a close racing the call cannot hand the descriptor's number to another file meanwhile.

    [DllImport(Libc, SetLastError = true)]
    public static extern nint recv(SafeSocketHandle socket, ref byte buf, nint len, int flags);

    [DllImport(Libc, SetLastError = true)]
    public static extern nint send(SafeSocketHandle socket, ref byte buf, nint len, int flags);

    /// <summary>fcntl on a descriptor held as a handle (a socket's, a pipe end's), kept alive for the call.</summary>
    [DllImport(Libc, SetLastError = true)]
    public static extern int fcntl(SafeHandle descriptor, int cmd, int arg);

    /// <summary>
    /// Adds <see cref="O_NONBLOCK"/> to a descriptor's status flags (a socket, a pipe end): its reads and writes then
    /// fail with EAGAIN instead of waiting.
    /// </summary>
    /// <returns>False when fcntl failed; its errno is <see cref="Marshal.GetLastPInvokeError"/>.</returns>
    public static bool TrySetNonBlocking(SafeHandle descriptor)
    {
        int flags = fcntl(descriptor, F_GETFL, 0);
        return flags >= 0 && fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) >= 0;
    }

    /// <summary>accept4: the new descriptor is closed on exec, as .NET opens all its descriptors.</summary>
    public const int SOCK_CLOEXEC = 0x80000;

    [DllImport(Libc, SetLastError = true)]
    public static extern int accept4(SafeSocketHandle socket, nint addr, nint addrlen, int flags);

    /// <summary>
    /// A descriptor this library opened and closes: disposed explicitly (the loop's <c>Close</c>) or, for a loop
    /// never closed, by the finalizer. Passed to the calls above as a handle, so that a call racing the disposal
    /// (a <c>Wake</c> from another thread) fails with <see cref="ObjectDisposedException"/> instead of using a
    /// descriptor number the process may already have reused.
    /// </summary>
    public sealed class OwnedDescriptor : SafeHandleMinusOneIsInvalid
    {
        public OwnedDescriptor() : base(ownsHandle: true) { }

        /// <summary>The descriptor's number.</summary>
        public int Number => (int)handle;

        /// <summary>
        /// Closes the descriptor. close's result is ignored: on Linux the descriptor is released even when close
        /// reports an error (EINTR included), so there is nothing to retry.
        /// </summary>
        protected override bool ReleaseHandle()
        {
            _ = close((int)handle);
            return true;
        }
    }

    /// <summary>The error of the last call above, as an exception naming the call.</summary>
    public static IOException Error(string call, int errno) =>
        new($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})", errno);
}
