using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Asyncio;

/// <summary>
/// The stream transports' non-blocking sends and receives, on Linux straight on the socket's descriptor.
/// </summary>
/// <remarks>
/// <para>Why not <see cref="Socket.Receive(Span{byte}, SocketFlags, out SocketError)"/> with
/// <see cref="Socket.Blocking"/> false: telling .NET that a socket is non-blocking makes it create the state of its
/// own asynchronous engine for that socket (224 bytes per connection, measured), which the loop never uses since
/// its selector does the waiting; and .NET's blocking-mode calls go through that engine too. So an accepted
/// connection is made non-blocking at its descriptor (<see cref="MakeNonBlocking"/>, <c>fcntl</c>), and the
/// transport calls <c>recv</c> and <c>send</c> itself. An idle server connection then costs that much less
/// (asyncio's sockets carry no such state either). The <see cref="Socket"/> object still owns the descriptor,
/// its options and addresses; it reports <see cref="Socket.Blocking"/> true, which is why a transport's socket
/// must not be read from or written to by other code (as asyncio's <c>get_extra_info('socket')</c> says too).</para>
/// <para>Elsewhere than Linux, or for a socket .NET made non-blocking itself, the same calls work: the Socket
/// methods are used where the descriptor calls are not available.</para>
/// </remarks>
internal static class SocketIo
{
    /// <summary>Descriptor calls are used (Linux); else the <see cref="Socket"/> methods.</summary>
    private static readonly bool s_onDescriptor = OperatingSystem.IsLinux();

    /// <summary>Makes a socket's operations fail with "would block" instead of waiting (asyncio: <c>sock.setblocking(False)</c>).</summary>
    /// <exception cref="SocketException">The kernel refused (the socket is closed).</exception>
    public static void MakeNonBlocking(Socket socket)
    {
        if (!s_onDescriptor)
        {
            socket.Blocking = false;
            return;
        }
        if (!LinuxNative.TrySetNonBlocking(socket.SafeHandle)) throw new SocketException((int)ErrorOf(Marshal.GetLastPInvokeError()));
    }

    /// <summary>
    /// Accepts a waiting connection, non-blocking (asyncio: <c>sock.accept()</c> then <c>setblocking(False)</c>); null
    /// when none waits. On Linux the connection is accepted on the descriptor and made non-blocking there, so that
    /// .NET never creates its asynchronous state for it (an accepted <see cref="Socket"/> of a non-blocking listener
    /// inherits that mode, and with it the state).
    /// </summary>
    /// <param name="listener">A non-blocking listening socket.</param>
    /// <exception cref="SocketException">Accepting failed (the client reset first, or descriptors ran out).</exception>
    public static Socket? Accept(Socket listener)
    {
        if (!s_onDescriptor)
        {
            Socket? accepted = EventLoop.TryAccept(listener);
            if (accepted is not null) MakeNonBlocking(accepted);
            return accepted;
        }
        int fd;
        do fd = LinuxNative.accept4(listener.SafeHandle, 0, 0, LinuxNative.SOCK_CLOEXEC);
        while (LinuxNative.Interrupted(fd));
        if (fd < 0)
        {
            SocketError error = ErrorOf(Marshal.GetLastPInvokeError());
            return error == SocketError.WouldBlock ? null : throw new SocketException((int)error);
        }
        var handle = new SafeSocketHandle(fd, ownsHandle: true);
        try
        {
            var connection = new Socket(handle);
            MakeNonBlocking(connection);
            return connection;
        }
        catch
        {
            handle.Dispose();   // the descriptor, whether or not a Socket was made around it
            throw;
        }
    }

    /// <summary>Receives what is there, without waiting: 0 bytes at the end of the stream.</summary>
    /// <param name="socket">A non-blocking connected socket.</param>
    /// <param name="buffer">Where the bytes go; not empty.</param>
    /// <param name="error"><see cref="SocketError.Success"/>, <see cref="SocketError.WouldBlock"/> when nothing is there, or the failure.</param>
    public static int Receive(Socket socket, Span<byte> buffer, out SocketError error)
    {
        if (!s_onDescriptor) return socket.Receive(buffer, SocketFlags.None, out error);
        nint received;
        do received = LinuxNative.recv(socket.SafeHandle, ref MemoryMarshal.GetReference(buffer), buffer.Length, 0);
        while (LinuxNative.Interrupted(received));
        return Outcome(received, out error);
    }

    /// <summary>Sends what the socket's buffer has room for, without waiting.</summary>
    /// <param name="socket">A non-blocking connected socket.</param>
    /// <param name="data">The bytes; not empty.</param>
    /// <param name="error"><see cref="SocketError.Success"/>, <see cref="SocketError.WouldBlock"/> when the buffer is full, or the failure.</param>
    /// <returns>The bytes sent (0 unless <paramref name="error"/> is <see cref="SocketError.Success"/>).</returns>
    public static int Send(Socket socket, ReadOnlySpan<byte> data, out SocketError error)
    {
        if (!s_onDescriptor) return socket.Send(data, SocketFlags.None, out error);
        nint sent;
        do sent = LinuxNative.send(socket.SafeHandle, ref MemoryMarshal.GetReference(data), data.Length, LinuxNative.MSG_NOSIGNAL);
        while (LinuxNative.Interrupted(sent));
        return Outcome(sent, out error);
    }

    /// <summary>A recv's or send's byte count, or 0 and the failure.</summary>
    private static int Outcome(nint result, out SocketError error)
    {
        if (result >= 0)
        {
            error = SocketError.Success;
            return (int)result;
        }
        error = ErrorOf(Marshal.GetLastPInvokeError());
        return 0;
    }

    /// <summary>The <see cref="SocketError"/> for a Linux errno of <c>recv</c>, <c>send</c> or <c>fcntl</c>, as .NET maps them.</summary>
    internal static SocketError ErrorOf(int errno) => errno switch
    {
        LinuxNative.EAGAIN => SocketError.WouldBlock,
        LinuxNative.EINTR => SocketError.Interrupted,
        LinuxNative.EBADF => SocketError.OperationAborted,
        12 or 105 => SocketError.NoBufferSpaceAvailable,   // ENOMEM, ENOBUFS
        23 or 24 => SocketError.TooManyOpenSockets,          // ENFILE, EMFILE
        22 => SocketError.InvalidArgument,                   // EINVAL
        32 or 108 => SocketError.Shutdown,                    // EPIPE, ESHUTDOWN
        90 => SocketError.MessageSize,                       // EMSGSIZE
        100 => SocketError.NetworkDown,                      // ENETDOWN
        101 => SocketError.NetworkUnreachable,               // ENETUNREACH
        103 => SocketError.ConnectionAborted,                // ECONNABORTED
        104 => SocketError.ConnectionReset,                  // ECONNRESET
        107 => SocketError.NotConnected,                     // ENOTCONN
        110 => SocketError.TimedOut,                         // ETIMEDOUT
        111 => SocketError.ConnectionRefused,                // ECONNREFUSED
        112 => SocketError.HostDown,                         // EHOSTDOWN
        113 => SocketError.HostUnreachable,                  // EHOSTUNREACH
        _ => SocketError.SocketError,
    };
}
