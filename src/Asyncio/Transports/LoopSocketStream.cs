using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;

namespace Asyncio;

/// <summary>
/// A <see cref="Stream"/> over a connected non-blocking socket whose waits are served by an event loop's selector:
/// a read or write that can be done at once is done on the calling thread, with no wait and no thread hop; one
/// that has to wait registers a reader or writer on the loop and is completed on the loop thread, where the
/// awaiting code then goes on. Give it to a .NET library that reads and writes a stream (<c>SslStream</c>,
/// <c>SocketsHttpHandler.ConnectCallback</c>) and that library's I/O runs on the loop, as asyncio's protocols do,
/// instead of on the thread pool. Made by <see cref="EventLoop.CreateSocketStream"/> and
/// <see cref="EventLoop.ConnectSocketStreamAsync"/>. No asyncio counterpart (its nearest: <c>loop.sock_recv_into</c>
/// and <c>loop.sock_sendall</c>).
/// </summary>
/// <remarks>
/// <para>Thread-safe as a <see cref="NetworkStream"/> is: one read and one write may be in flight at a time, from any
/// threads. A cancelled token ends the waiting operation with <see cref="OperationCanceledException"/>; a read
/// cancelled before data arrived takes nothing from the socket.</para>
/// <para>The synchronous <see cref="Read(byte[], int, int)"/> and <see cref="Write(byte[], int, int)"/> block the
/// calling thread, and are refused on the loop thread, which they would deadlock. When the loop closes, a waiting
/// operation fails with <see cref="ObjectDisposedException"/> and the socket is closed.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class LoopSocketStream : Stream, IClosedWithLoop, IDroppedAtClose
{
    private readonly EventLoop _loop;
    private readonly Socket _socket;
    private readonly int _fd;
    private readonly Operation _read;
    private readonly Operation _write;
    /// <summary>Set once by <see cref="Dispose(bool)"/> or the loop's close (any thread).</summary>
    private volatile bool _closed;
    /// <summary>Loop thread only: the loop knows this stream (it closes it when the loop closes).</summary>
    private bool _owned;

    internal LoopSocketStream(EventLoop loop, Socket socket)
    {
        _loop = loop;
        _socket = socket;
        _fd = (int)socket.Handle;
        _read = new Operation(this, IoEvents.Read);
        _write = new Operation(this, IoEvents.Write);
        // The loop closes the stream when it closes, whether or not the stream ever had to wait on it.
        if (loop.IsLoopThread) OwnOnLoop();
        else if (!loop.TryPost(static (self, _) => ((LoopSocketStream)self!).OwnOnLoop(), this)) ((IClosedWithLoop)this).CloseWithLoop();
    }

    /// <summary>Loop thread: the loop will close this stream when it closes (a stream disposed meanwhile is not taken).</summary>
    private void OwnOnLoop()
    {
        if (_closed || _owned) return;
        _loop.OwnUntilClose(this);
        _owned = true;
    }

    /// <summary>The loop whose selector serves the waits.</summary>
    public EventLoop Loop => _loop;

    /// <summary>The socket (owned by the stream).</summary>
    public Socket Socket => _socket;

    /// <summary>
    /// False by default. True lets the code that awaits this stream's operations, and the tasks that complete
    /// through it, go on inline on the loop thread when the loop completes a wait: .NET never inlines a task's
    /// <c>ConfigureAwait(false)</c> continuation on a thread that has a synchronization context of its own (the loop
    /// thread has the loop's), it queues it to the thread pool, so a library's chain of awaits (the HTTP stack's
    /// parsing of a response) would otherwise leave the loop at its first task. Set it only for a library whose code
    /// never blocks: code that blocks while running on the loop thread stops the loop. Awaits that captured the
    /// loop's context post to it either way. <c>ClientSession</c> sets it for .NET's HTTP stack.
    /// </summary>
    public bool InlineContinuations { get; set; }

    /// <inheritdoc/>
    public override bool CanRead => !_closed;

    /// <inheritdoc/>
    public override bool CanWrite => !_closed;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException("A socket stream has no length.");

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException("A socket stream has no position.");
        set => throw new NotSupportedException("A socket stream has no position.");
    }

    /// <summary>
    /// Reads up to <paramref name="buffer"/>'s length; 0 at the end of the stream. An empty buffer waits until data
    /// is there (or the end) and takes nothing.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another read is in flight.</exception>
    /// <exception cref="IOException">The socket failed (a reset by the peer: <see cref="SocketError.ConnectionReset"/> inside).</exception>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_closed) return ValueTask.FromException<int>(new ObjectDisposedException(nameof(LoopSocketStream)));
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<int>(cancellationToken);
        _read.Claim();
        if (!buffer.IsEmpty)
        {
            int n;
            SocketError error;
            try
            {
                n = _socket.Receive(buffer.Span, SocketFlags.None, out error);
            }
            catch (ObjectDisposedException disposed)
            {
                _read.Release();
                return ValueTask.FromException<int>(disposed);
            }
            if (error == SocketError.Success || !EventLoop.WouldBlock(error))
            {
                _read.Release();
                return error == SocketError.Success ? new ValueTask<int>(n) : ValueTask.FromException<int>(Failure(error));
            }
        }
        return new ValueTask<int>(_read, _read.Start(buffer, cancellationToken));
    }

    /// <summary>Writes all of <paramref name="buffer"/>, waiting for room in the socket's send buffer when it is full.</summary>
    /// <exception cref="InvalidOperationException">Another write is in flight.</exception>
    /// <exception cref="IOException">The socket failed (the peer reset or closed the connection).</exception>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_closed) return ValueTask.FromException(new ObjectDisposedException(nameof(LoopSocketStream)));
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        // Claimed before the first send: a second write must not slip its bytes in between a waiting write's.
        _write.Claim();
        int sent = 0;
        while (sent < buffer.Length)
        {
            int n;
            SocketError error;
            try
            {
                n = _socket.Send(buffer.Span[sent..], SocketFlags.None, out error);
            }
            catch (ObjectDisposedException disposed)
            {
                _write.Release();
                return ValueTask.FromException(disposed);
            }
            if (error == SocketError.Success) sent += n;
            else if (EventLoop.WouldBlock(error)) break;
            else
            {
                _write.Release();
                return ValueTask.FromException(Failure(error));
            }
        }
        if (sent == buffer.Length)
        {
            _write.Release();
            return ValueTask.CompletedTask;
        }
        return new ValueTask(_write, _write.Start(MemoryMarshal.AsMemory(buffer[sent..]), cancellationToken));
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Reads, blocking the calling thread. </summary>
    /// <exception cref="InvalidOperationException">Called on the loop thread (it would wait for itself).</exception>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc cref="Read(byte[], int, int)"/>
    public override int Read(Span<byte> buffer)
    {
        ThrowIfLoopThread();
        byte[] temporary = new byte[buffer.Length];
        int n = ReadAsync(temporary).AsTask().GetAwaiter().GetResult();
        temporary.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    /// <summary>Writes, blocking the calling thread.</summary>
    /// <exception cref="InvalidOperationException">Called on the loop thread (it would wait for itself).</exception>
    public override void Write(byte[] buffer, int offset, int count)
    {
        ThrowIfLoopThread();
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>Nothing to do: writes go to the socket as they are made.</summary>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("A socket stream cannot seek.");

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException("A socket stream has no length.");

    /// <summary>
    /// Closes the socket: on the loop thread at once, from another thread through the loop (the loop stops watching
    /// the socket first). An operation in flight fails with <see cref="ObjectDisposedException"/>.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_closed)
        {
            _closed = true;
            if (_loop.IsLoopThread) CloseOnLoop();
            else if (!_loop.TryPost(static (self, _) => ((LoopSocketStream)self!).CloseOnLoop(), this)) CloseWithoutLoop();
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc/>
    public override string ToString() => $"<LoopSocketStream fd={_fd}{(_closed ? " closed" : "")}>";

    /// <summary>The loop closed: its selector is gone, so nothing is left to unwatch.</summary>
    void IClosedWithLoop.CloseWithLoop()
    {
        _closed = true;
        _owned = false;
        CloseWithoutLoop();
    }

    /// <summary>The loop closed before it ran what the stream posted (its close, or its taking by the loop): close here instead.</summary>
    void IDroppedAtClose.OnDroppedAtClose() => CloseWithoutLoop();

    private void CloseOnLoop()
    {
        _read.Unwatch();
        _write.Unwatch();
        if (_owned)
        {
            _loop.Disown(this);
            _owned = false;
        }
        _socket.Dispose();
        // In a later callback, as a NetworkStream's pending operations end on another thread: the code that awaits
        // them does not run inside the Dispose call of the library that owns the stream.
        _read.FailSoon();
        _write.FailSoon();
    }

    private void CloseWithoutLoop()
    {
        _socket.Dispose();
        _read.Fail(new ObjectDisposedException(nameof(LoopSocketStream)));
        _write.Fail(new ObjectDisposedException(nameof(LoopSocketStream)));
    }

    private void ThrowIfLoopThread()
    {
        if (_loop.IsLoopThread)
        {
            throw new InvalidOperationException("A synchronous read or write of a loop socket stream would block its own loop: use ReadAsync/WriteAsync.");
        }
    }

    /// <summary>
    /// The exception for a failed send or receive: a socket closed by a concurrent <see cref="Dispose(bool)"/> fails
    /// the call in flight with an error of its own (aborted, bad descriptor), which is the disposal's doing.
    /// </summary>
    private Exception Failure(SocketError error) => _closed
        ? new ObjectDisposedException(nameof(LoopSocketStream))
        : new IOException($"Unable to transfer data on the socket: {error}.", new SocketException((int)error));

    /// <summary>
    /// The one operation of a direction that waits: its buffer, its token, the loop's reader or writer, and the
    /// value-task source the caller awaits (completed on the loop thread, its continuation run there inline).
    /// </summary>
    /// <remarks>
    /// A direction is idle, claimed by a caller (trying at once, then arming), or waiting. Only a waiting operation
    /// can be ended, so an end (a close, a cancellation) that comes while the caller still arms cannot complete
    /// the value-task source before it is reset; the close or cancellation is then seen by <see cref="Watch"/>,
    /// which always runs after arming.
    /// </remarks>
    private sealed class Operation(LoopSocketStream stream, IoEvents direction) : IValueTaskSource<int>, IValueTaskSource, IDroppedAtClose
    {
        private const int Idle = 0;
        private const int Claimed = 1;
        private const int Waiting = 2;

        private static readonly Action<object?, object?> s_watch = static (self, _) => ((Operation)self!).Watch();
        private static readonly Action<object?, object?> s_onReady = static (self, _) => ((Operation)self!).OnReady();
        private static readonly Action<object?, object?> s_cancel = static (self, version) => ((Operation)self!).Cancel((short)version!);

        private ManualResetValueTaskSourceCore<int> _core;
        private Memory<byte> _buffer;
        private int _done;
        private CancellationToken _token;
        private CancellationTokenRegistration _registration;
        /// <summary><see cref="Idle"/>, <see cref="Claimed"/> by a caller, or <see cref="Waiting"/> (ended by whoever completes it).</summary>
        private int _state;
        /// <summary>Loop thread only: the registered reader or writer, kept between reads (dropped once idle).</summary>
        private IoCallback? _watch;
        /// <summary>Loop thread only: readiness callbacks in a row that found no operation waiting.</summary>
        private int _idleReadiness;

        /// <summary>How many such callbacks in a row keep the registration (see <see cref="OnReady"/>).</summary>
        private const int IdleReadinessKept = 8;

        /// <summary>Takes this direction for a caller's operation (any thread), before its first try.</summary>
        /// <exception cref="InvalidOperationException">Another operation of this direction is in flight.</exception>
        public void Claim()
        {
            if (Interlocked.CompareExchange(ref _state, Claimed, Idle) != Idle)
            {
                throw new InvalidOperationException($"Another {(direction == IoEvents.Read ? "read" : "write")} is already in flight on this socket stream.");
            }
        }

        /// <summary>Gives the direction back: the claimed operation was done at once.</summary>
        public void Release() => Volatile.Write(ref _state, Idle);

        /// <summary>
        /// Starts waiting (any thread, the direction claimed): the loop is asked to watch the socket. Returns the
        /// value task's token.
        /// </summary>
        public short Start(Memory<byte> buffer, CancellationToken token)
        {
            Debug.Assert(Volatile.Read(ref _state) == Claimed, "only the caller that claimed the direction starts its wait");
            _core.Reset();
            _buffer = buffer;
            _done = 0;
            _token = token;
            short version = _core.Version;
            if (token.CanBeCanceled)
            {
                // Registered before arming, so that ending the wait always finds the registration to undo. A
                // cancellation that runs before the arming is lost here, and seen by Watch instead.
                _registration = token.UnsafeRegister(static (state, _) =>
                {
                    var (op, version) = ((Operation, short))state!;
                    op.PostCancel(version);
                }, (this, version));
            }
            Volatile.Write(ref _state, Waiting);
            if (stream._loop.IsLoopThread) Watch();
            else if (!stream._loop.TryPost(s_watch, this)) Fail(new ObjectDisposedException(nameof(LoopSocketStream), "The stream's event loop is closed."));
            return version;
        }

        /// <summary>Loop thread: registers the reader or writer unless it already is.</summary>
        private void Watch()
        {
            if (Volatile.Read(ref _state) != Waiting) return;
            if (stream._closed)
            {
                Fail(new ObjectDisposedException(nameof(LoopSocketStream)));
                return;
            }
            if (_token.IsCancellationRequested)
            {
                Fail(new OperationCanceledException(_token));
                return;
            }
            if (_watch is not null) return;
            var watch = new IoCallback(s_onReady, this, null, context: null);
            try
            {
                stream._loop.WatchSocket(stream._socket, direction, watch);
            }
            catch (Exception error)
            {
                Fail(error);
                return;
            }
            _watch = watch;
        }

        /// <summary>Loop thread: stops watching.</summary>
        public void Unwatch()
        {
            _idleReadiness = 0;
            if (_watch is null) return;
            stream._loop.UnwatchSocket(stream._fd, direction, _watch);
            _watch = null;
        }

        /// <summary>
        /// Loop thread: the socket is ready. A reader with no read waiting is kept for a few iterations, then dropped:
        /// bytes often arrive just before their reader asks for them (an HTTP body behind the headers the library is
        /// still handing over), and dropping the reader at once costs two system calls per exchange to register it
        /// again; bytes nobody reads (an idle connection's end) must not wake the loop every iteration for long.
        /// </summary>
        private void OnReady()
        {
            if (Volatile.Read(ref _state) != Waiting)
            {
                if (++_idleReadiness >= IdleReadinessKept) Unwatch();
                return;
            }
            _idleReadiness = 0;
            if (direction == IoEvents.Read) OnReadable();
            else OnWritable();
        }

        private void OnReadable()
        {
            int n = 0;
            if (!_buffer.IsEmpty)
            {
                n = stream._socket.Receive(_buffer.Span, SocketFlags.None, out SocketError error);
                if (error != SocketError.Success)
                {
                    if (!EventLoop.WouldBlock(error)) Fail(stream.Failure(error));
                    return;
                }
            }
            Succeed(n);
        }

        private void OnWritable()
        {
            while (_done < _buffer.Length)
            {
                int n = stream._socket.Send(_buffer.Span[_done..], SocketFlags.None, out SocketError error);
                if (error == SocketError.Success) _done += n;
                else
                {
                    if (!EventLoop.WouldBlock(error)) Fail(stream.Failure(error));
                    return;
                }
            }
            // A writer left registered would run every iteration: writers go as soon as their write is done.
            Unwatch();
            Succeed(_done);
        }

        private void PostCancel(short version)
        {
            if (!stream._loop.TryPost(s_cancel, this, version)) Fail(new OperationCanceledException(_token));
        }

        private void Cancel(short version)
        {
            if (_core.Version == version) Fail(new OperationCanceledException(_token));
        }

        private bool TryEnd()
        {
            if (Interlocked.CompareExchange(ref _state, Idle, Waiting) != Waiting) return false;
            _registration.Unregister();
            _registration = default;
            _buffer = default;
            return true;
        }

        private void Succeed(int n) => End(n, null);

        /// <summary>Ends a waiting operation with <paramref name="error"/> (any thread); nothing when none waits.</summary>
        public void Fail(Exception error) => End(0, error);

        /// <summary>Completes a waiting operation with <paramref name="n"/> bytes or <paramref name="error"/>; nothing when none waits.</summary>
        private void End(int n, Exception? error)
        {
            if (!TryEnd()) return;
            SynchronizationContext? context = InlineContinuation();
            try
            {
                if (error is null) _core.SetResult(n);
                else _core.SetException(error);
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(context);
            }
        }

        /// <summary>Loop thread: ends a waiting operation with <see cref="ObjectDisposedException"/> in a later callback.</summary>
        public void FailSoon()
        {
            if (Volatile.Read(ref _state) != Waiting) return;
            if (!stream._loop.TryPost(s_failDisposed, this)) Fail(new ObjectDisposedException(nameof(LoopSocketStream)));
        }

        private static readonly Action<object?, object?> s_failDisposed =
            static (self, _) => ((Operation)self!).Fail(new ObjectDisposedException(nameof(LoopSocketStream)));

        /// <summary>
        /// With <see cref="InlineContinuations"/>, on the loop thread: clears the thread's synchronization context
        /// (the loop's) while the continuation runs, and returns it to be put back (see <see cref="InlineContinuations"/>).
        /// </summary>
        private SynchronizationContext? InlineContinuation()
        {
            if (!stream.InlineContinuations || !stream._loop.IsLoopThread) return SynchronizationContext.Current;
            SynchronizationContext? context = SynchronizationContext.Current;
            if (context is not null) SynchronizationContext.SetSynchronizationContext(null);
            return context;
        }

        /// <summary>
        /// The loop closed before it ran this operation's watch or cancellation: the operation can no longer be
        /// served, so the stream closes as it does with its loop (which fails the operation).
        /// </summary>
        void IDroppedAtClose.OnDroppedAtClose() => ((IClosedWithLoop)stream).CloseWithLoop();

        int IValueTaskSource<int>.GetResult(short token) => _core.GetResult(token);

        void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

        ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

        void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
