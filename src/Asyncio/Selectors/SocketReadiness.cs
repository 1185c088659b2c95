namespace Asyncio;

/// <summary>
/// A future that a socket operation awaits between its non-blocking tries: completed by the reader or writer it
/// registers when the socket becomes ready, cancelled when the awaiting task is cancelled. Either way, once done
/// it unregisters that callback (asyncio: the future of <c>sock_recv</c> and its <c>_sock_read_done</c>).
/// </summary>
/// <remarks>
/// It only reports readiness: the operation makes its system call after resuming. A cancellation that arrives
/// before then therefore takes nothing from the socket, and no bytes are lost.
/// </remarks>
internal sealed class SocketReadiness : Future<bool>, IFutureListener
{
    /// <summary>The watched descriptor.</summary>
    public readonly int Fd;

    /// <summary>Read or write.</summary>
    public readonly IoEvents Direction;

    /// <summary>The reader or writer registered for this wait.</summary>
    public readonly IoCallback Callback;

    public SocketReadiness(EventLoop loop, int fd, IoEvents direction) : base(loop)
    {
        Fd = fd;
        Direction = direction;
        Callback = new IoCallback(s_onReady, this, null, context: null);
    }

    /// <summary>The registered callback: the socket is ready, unless this wait already ended.</summary>
    private static readonly Action<object?, object?> s_onReady = static (self, _) => ((SocketReadiness)self!).TrySetResult(true);

    /// <summary>Runs once the future is done, in a later iteration (as asyncio's done callback).</summary>
    void IFutureListener.OnFutureDone(Future future) => _loop.SocketWaitEnded(this);

    /// <inheritdoc/>
    public override string ToString() => $"<SocketReadiness fd={Fd} {Direction.ToString().ToLowerInvariant()} {base.ToString()}>";
}
