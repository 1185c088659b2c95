using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Asyncio;

/// <summary>
/// What the two pipe transports share: a non-blocking pipe end watched by the loop's selector, a protocol told
/// <see cref="Protocol.ConnectionMade"/> first and <see cref="Protocol.ConnectionLost"/> last, and the loop's
/// ownership of the descriptor (asyncio: the common shape of <c>unix_events._UnixReadPipeTransport</c> and
/// <c>_UnixWritePipeTransport</c>).
/// </summary>
/// <remarks>
/// <para>Lifecycle, as the socket transport's: <see cref="Closing"/> is set by a close or an error and never cleared;
/// <see cref="ConnectionLostScheduled"/> is set when the connection-lost call is scheduled, exactly once; the pipe
/// is closed in that call, after the protocol heard of it. A loop closed earlier closes the pipe itself
/// (<see cref="IClosedWithLoop"/>), and the protocol hears nothing: a closed loop runs no callbacks.</para>
/// <para>Everything runs on the loop's thread.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
internal abstract class PipeTransport : ITransport, IClosedWithLoop
{
    /// <summary>The loop whose selector watches the pipe.</summary>
    protected readonly EventLoop Loop;

    /// <summary>The parent's end of the pipe; owned.</summary>
    protected readonly SafeFileHandle Pipe;

    /// <summary>The pipe's descriptor, kept because a closed handle no longer tells it.</summary>
    protected readonly int Fd;

    /// <summary>Whom the transport reports to.</summary>
    protected readonly Protocol Protocol;

    /// <summary>Closing or closed: <see cref="Protocol.ConnectionLost"/> is coming.</summary>
    protected bool Closing;

    /// <summary>The connection-lost call is scheduled or done (asyncio's <c>_conn_lost</c>).</summary>
    protected bool ConnectionLostScheduled;

    /// <summary>
    /// Starts the transport: in the next iteration the protocol hears <see cref="Protocol.ConnectionMade"/>, the
    /// transport registers with the selector, and then <paramref name="waiter"/> completes (asyncio's order).
    /// </summary>
    protected PipeTransport(EventLoop loop, SafeFileHandle pipe, Protocol protocol, Future<bool>? waiter)
    {
        Loop = loop;
        Pipe = pipe;
        Fd = (int)pipe.DangerousGetHandle();
        Protocol = protocol;
        loop.OwnUntilClose(this);
        loop.CallSoon(static state => state.Transport.Start(state.Waiter), (Transport: this, Waiter: waiter));
    }

    /// <inheritdoc/>
    public bool IsClosing => Closing;

    /// <inheritdoc/>
    public abstract bool IsReading { get; }

    /// <inheritdoc/>
    public abstract bool CanWriteEof { get; }

    private void Start(Future<bool>? waiter)
    {
        try
        {
            Protocol.ConnectionMade(this);
        }
        catch (Exception error)
        {
            Fatal(error, "Fatal error: protocol.connection_made() call failed.", osError: false);
        }
        if (!Closing) Register();
        if (waiter is { IsDone: false }) waiter.SetResult(true);
    }

    /// <summary>Registers the selector callbacks once the protocol knows the transport.</summary>
    protected abstract void Register();

    /// <summary>The read or write system call failed: the error as an exception, or null when it would only block.</summary>
    protected static IOException? ErrorUnlessWouldBlock(string call)
    {
        int errno = Marshal.GetLastPInvokeError();
        return errno is SpawnNative.EAGAIN or SpawnNative.EINTR ? null : SpawnNative.Error(call, errno);
    }

    /// <summary>
    /// An error the transport cannot go on after: a system call's error goes to the protocol only (a broken pipe is
    /// an ordinary event); a protocol callback's also to the loop's exception handler (asyncio: <c>_fatal_error</c>).
    /// </summary>
    protected void Fatal(Exception error, string message, bool osError)
    {
        if (!osError)
        {
            Loop.CallExceptionHandler(new ExceptionContext(message)
            {
                Exception = error,
                Extra = new Dictionary<string, object?> { ["transport"] = this, ["protocol"] = Protocol },
            });
        }
        ForceClose(error);
    }

    /// <summary>Closes at once, dropping whatever is buffered (asyncio: <c>_close</c>).</summary>
    protected virtual void ForceClose(Exception? error)
    {
        if (ConnectionLostScheduled) return;
        Closing = true;
        Loop.RemoveReader(Fd);
        Loop.RemoveWriter(Fd);
        ScheduleConnectionLost(error);
    }

    /// <summary>Schedules the one connection-lost call for the next iteration, so it never runs inside the call that closed.</summary>
    protected void ScheduleConnectionLost(Exception? error)
    {
        Debug.Assert(!ConnectionLostScheduled, "the connection is lost once");
        ConnectionLostScheduled = true;
        Loop.CallSoon(static state => state.Transport.CallConnectionLost(state.Error), (Transport: this, Error: error));
    }

    /// <summary>Tells the protocol, then closes the pipe, whatever the protocol does (asyncio: <c>_call_connection_lost</c>).</summary>
    protected void CallConnectionLost(Exception? error)
    {
        ConnectionLostScheduled = true;
        try
        {
            Protocol.ConnectionLost(error);
        }
        finally
        {
            Loop.RemoveReader(Fd);
            Loop.RemoveWriter(Fd);
            Loop.Disown(this);
            Pipe.Dispose();
        }
    }

    /// <inheritdoc/>
    void IClosedWithLoop.CloseWithLoop() => Pipe.Dispose();

    /// <inheritdoc/>
    public abstract void Write(ReadOnlySpan<byte> data);

    /// <inheritdoc/>
    public abstract void WriteEof();

    /// <inheritdoc/>
    public abstract void Close();

    /// <inheritdoc/>
    public void Abort() => ForceClose(null);

    /// <inheritdoc/>
    public abstract void PauseReading();

    /// <inheritdoc/>
    public abstract void ResumeReading();

    /// <inheritdoc/>
    public abstract void SetWriteBufferLimits(int? high = null, int? low = null);

    /// <inheritdoc/>
    public abstract int GetWriteBufferSize();

    /// <summary>Information about the pipe: <c>"pipe"</c> gives its <see cref="SafeFileHandle"/> (do not read or write it).</summary>
    public object? GetExtraInfo(string name, object? defaultValue = null) => name == "pipe" ? Pipe : defaultValue;

    /// <summary>The failure of a member that belongs to the other direction.</summary>
    protected NotSupportedException WrongDirection(string member) =>
        new($"{member} is not supported by {GetType().Name}: a pipe goes one way");

    /// <inheritdoc/>
    public override string ToString() =>
        $"<{GetType().Name} fd={Fd} {(ConnectionLostScheduled ? "closed" : Closing ? "closing" : "open")}>";
}
