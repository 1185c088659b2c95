using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace Asyncio;

/// <summary>
/// The stream under an <see cref="System.Net.Security.SslStream"/> on the loop: the TLS records the peer sent are
/// fed in by the plain transport's <see cref="Protocol.DataReceived"/>, and the records the
/// <c>SslStream</c> writes go straight to the plain transport (asyncio's pair of <c>ssl.MemoryBIO</c>s).
/// </summary>
/// <remarks>
/// <para>Reads never block a thread: a read with nothing buffered returns a pending <see cref="ValueTask{T}"/> that
/// the next <see cref="Feed"/>, <see cref="FeedEof"/> or <see cref="Fail"/> completes, synchronously, on the loop's
/// thread. The <c>SslStream</c> makes at most one read at a time (it serialises its own reads).</para>
/// <para>Writes complete at once: the transport copies the bytes, and flow control is done one layer up, by
/// <see cref="TlsProtocol"/>, which stops handing plaintext to the <c>SslStream</c> while the plain transport is
/// paused.</para>
/// </remarks>
internal sealed class TlsRecordStream : Stream, IValueTaskSource<int>
{
    /// <summary>Sends the records the <c>SslStream</c> writes (the plain transport's write).</summary>
    private readonly Action<ReadOnlySpan<byte>> _send;

    /// <summary>Bytes fed and not yet read: <c>_incoming[_start.._start + _count]</c>.</summary>
    private byte[] _incoming = new byte[16 * 1024];

    private int _start, _count;

    /// <summary>The peer sent EOF: reads give 0 once the buffer is empty.</summary>
    private bool _eof;

    /// <summary>The connection failed: reads throw this once the buffer is empty.</summary>
    private Exception? _error;

    /// <summary>Completes the pending read; synchronous continuations, since completion always happens on the loop.</summary>
    private ManualResetValueTaskSourceCore<int> _pendingRead;

    /// <summary>Where the pending read wants its bytes; meaningful only while <see cref="_readPending"/>.</summary>
    private Memory<byte> _pendingTarget;

    private bool _readPending;

    public TlsRecordStream(Action<ReadOnlySpan<byte>> send) => _send = send;

    /// <summary>How many fed bytes wait to be read (asyncio's <c>_incoming.pending</c>).</summary>
    public int Buffered => _count;

    /// <summary>Records from the peer. Copied; a pending read is completed last, after the rest is buffered,
    /// because its continuation (the <c>SslStream</c>'s) may read again at once.</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        if (!_readPending)
        {
            Append(data);
            return;
        }
        int n = Math.Min(data.Length, _pendingTarget.Length);
        data[..n].CopyTo(_pendingTarget.Span);
        Append(data[n..]);
        CompleteRead(n, null);
    }

    /// <summary>The peer sent EOF.</summary>
    public void FeedEof()
    {
        _eof = true;
        if (_readPending && _count == 0) CompleteRead(0, null);
    }

    /// <summary>The connection is gone: a pending or later read throws <paramref name="error"/>.</summary>
    public void Fail(Exception error)
    {
        _error ??= error;
        if (_readPending) CompleteRead(0, _error);
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        if (_start + _count + data.Length > _incoming.Length)
        {
            byte[] target = _count + data.Length > _incoming.Length
                ? new byte[Math.Max(_incoming.Length * 2, _count + data.Length)]
                : _incoming;
            Buffer.BlockCopy(_incoming, _start, target, 0, _count);
            _incoming = target;
            _start = 0;
        }
        data.CopyTo(_incoming.AsSpan(_start + _count));
        _count += data.Length;
    }

    private int Take(Span<byte> target)
    {
        int n = Math.Min(target.Length, _count);
        _incoming.AsSpan(_start, n).CopyTo(target);
        _start += n;
        _count -= n;
        if (_count == 0) _start = 0;
        return n;
    }

    private void CompleteRead(int count, Exception? error)
    {
        Debug.Assert(_readPending, "only a pending read can be completed");
        _readPending = false;
        _pendingTarget = default;
        if (error is null) _pendingRead.SetResult(count);
        else _pendingRead.SetException(error);
    }

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_readPending) throw new InvalidOperationException("the TLS record stream has a read pending already");
        if (buffer.IsEmpty) return new ValueTask<int>(0);
        if (_count > 0) return new ValueTask<int>(Take(buffer.Span));
        if (_error is not null) return ValueTask.FromException<int>(_error);
        if (_eof) return new ValueTask<int>(0);
        _pendingRead.Reset();
        _pendingTarget = buffer;
        _readPending = true;
        return new ValueTask<int>(this, _pendingRead.Version);
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _send(buffer.Span);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        _send(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => _send(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer) => _send(buffer);

    /// <summary>A blocking read would block the loop: the <c>SslStream</c> is only ever used asynchronously.</summary>
    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("the TLS record stream is read asynchronously only");

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    int IValueTaskSource<int>.GetResult(short token) => _pendingRead.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _pendingRead.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _pendingRead.OnCompleted(continuation, state, token, flags);
}
