using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Asyncio;

/// <summary>
/// What the two pipe transports add to <see cref="DescriptorTransport"/>'s lifecycle: a non-blocking pipe end, owned
/// by the loop until released, a <see cref="Protocol"/>, and the classification of their errors (asyncio: the common
/// shape of <c>unix_events._UnixReadPipeTransport</c> and <c>_UnixWritePipeTransport</c>).
/// </summary>
/// <remarks>
/// <para>The pipe is closed in the connection-lost call, after the protocol heard of it. A loop closed earlier
/// closes the pipe itself (<see cref="IClosedWithLoop"/>), and the protocol hears nothing: a closed loop runs no
/// callbacks.</para>
/// <para>Errors: the pipe's own failed <c>read</c> or <c>write</c> (a broken pipe) is the connection's ordinary end and
/// closes the transport directly, with the error given to the protocol only. Whatever a protocol callback throws
/// goes through <see cref="DescriptorTransport.Fatal"/> and is reported, even an <see cref="IOException"/>: unlike a
/// socket's <see cref="System.Net.Sockets.SocketException"/>, the type alone does not tell where it came from.</para>
/// <para>Everything runs on the loop's thread.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
internal abstract class PipeTransport : DescriptorTransport, ITransport, IClosedWithLoop
{
    /// <summary>The parent's end of the pipe; owned.</summary>
    protected readonly SafeFileHandle _pipe;

    /// <summary>Whom the transport reports to.</summary>
    protected readonly Protocol _protocol;

    /// <summary>
    /// Starts the transport: in the next iteration the protocol hears <see cref="Protocol.ConnectionMade"/>, the
    /// transport registers with the selector, and then <paramref name="waiter"/> completes (asyncio's order).
    /// </summary>
    protected PipeTransport(EventLoop loop, SafeFileHandle pipe, Protocol protocol, Future<bool>? waiter)
        : base(loop, (int)pipe.DangerousGetHandle())
    {
        _pipe = pipe;
        _protocol = protocol;
        loop.OwnUntilClose(this);
        ScheduleStart(waiter);
    }

    /// <inheritdoc/>
    public abstract bool IsReading { get; }

    /// <inheritdoc/>
    public abstract bool CanWriteEof { get; }

    /// <inheritdoc/>
    protected override object ProtocolForReport => _protocol;

    /// <inheritdoc/>
    protected override void CallConnectionMade() => _protocol.ConnectionMade(this);

    /// <inheritdoc/>
    protected override void CallProtocolConnectionLost(Exception? error) => _protocol.ConnectionLost(error);

    /// <summary>Only protocol callbacks' errors reach <see cref="DescriptorTransport.Fatal"/>, and every one is reported.</summary>
    protected override bool IsConnectionError(Exception error) => false;

    /// <inheritdoc/>
    protected override void Release()
    {
        _loop.Disown(this);
        _pipe.Dispose();
    }

    /// <inheritdoc/>
    void IClosedWithLoop.CloseWithLoop() => _pipe.Dispose();

    /// <summary>The read or write system call failed: the error as an exception, or null when it would only block.</summary>
    protected static IOException? ErrorUnlessWouldBlock(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        return errno is LinuxNative.EAGAIN or LinuxNative.EINTR ? null : SpawnNative.Error(call, errno);
    }

    /// <inheritdoc/>
    public abstract void Write(ReadOnlySpan<byte> data);

    /// <inheritdoc/>
    public abstract void WriteEof();

    /// <inheritdoc/>
    public abstract void PauseReading();

    /// <inheritdoc/>
    public abstract void ResumeReading();

    /// <inheritdoc/>
    public abstract void SetWriteBufferLimits(int? high = null, int? low = null);

    /// <inheritdoc/>
    public abstract int GetWriteBufferSize();

    /// <summary>Information about the pipe: <c>"pipe"</c> gives its <see cref="SafeFileHandle"/> (do not read or write it).</summary>
    public object? GetExtraInfo(string name, object? defaultValue = null) => name == "pipe" ? _pipe : defaultValue;

    /// <summary>The failure of a member that belongs to the other direction.</summary>
    protected NotSupportedException WrongDirection(string member) =>
        new($"{member} is not supported by {GetType().Name}: a pipe goes one way");

    /// <inheritdoc/>
    public override string ToString() => $"<{GetType().Name} fd={_fd} {State}>";
}
