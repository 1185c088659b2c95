using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Asyncio;

/// <summary>
/// The writing end of a pipe (a child's stdin) as a transport: writes that never block, the rest buffered and
/// written when the pipe has room, water marks that pause and resume the protocol, and a close that flushes first
/// (asyncio: <c>unix_events._UnixWritePipeTransport</c>). Reading members throw <see cref="NotSupportedException"/>.
/// </summary>
/// <remarks>
/// A reader is registered on the writing end too, as asyncio does: a pipe's writing end is never readable, but
/// epoll reports an error on it once the reading end is closed (the child exited or closed its stdin), so the
/// transport learns of it even while it has nothing to write. With bytes still buffered that is a broken pipe.
/// </remarks>
internal sealed class WritePipeTransport : PipeTransport
{
    /// <summary>errno: the reading end is closed.</summary>
    private const int EPIPE = 32;

    /// <summary>What could not be written yet.</summary>
    private WriteBuffer _buffer;

    /// <summary>The selector callbacks, made once.</summary>
    private readonly Action _onWritable, _onPeerClosed;

    /// <summary>The water marks and the protocol's pause and resume.</summary>
    private readonly WriteFlowControl _flowControl;

    /// <summary><see cref="WriteEof"/> was called: a later write is a programming error.</summary>
    private bool _eof;

    /// <summary>Starts writing to <paramref name="pipe"/> (non-blocking) for <paramref name="protocol"/> from the next iteration.</summary>
    public WritePipeTransport(EventLoop loop, SafeFileHandle pipe, Protocol protocol, Future<bool>? waiter)
        : base(loop, pipe, protocol, waiter)
    {
        _onWritable = WriteReady;
        _onPeerClosed = PeerClosed;
        _flowControl = new WriteFlowControl(loop, this, protocol, protocol.PauseWriting, protocol.ResumeWriting);
    }

    /// <inheritdoc/>
    public override bool IsReading => false;

    /// <inheritdoc/>
    public override bool CanWriteEof => true;

    /// <inheritdoc/>
    protected override void Register() => _loop.AddReader(_fd, _onPeerClosed);

    /// <inheritdoc/>
    protected override bool HasBufferedData => _buffer.Count > 0;

    /// <summary>The reader watches for the reading end's close, which matters most while a close flushes.</summary>
    protected override bool KeepsReaderWhileFlushing => true;

    /// <inheritdoc/>
    protected override void ClearBuffer() => _buffer.Clear();

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> data)
    {
        if (_eof) throw new InvalidOperationException("Cannot call Write() after WriteEof()");
        // asyncio counts and logs writes after a close; they are dropped either way.
        if (data.IsEmpty || _closing) return;
        if (_buffer.Count == 0)
        {
            int written = WriteSome(data);
            if (written < 0) return;
            data = data[written..];
            if (data.IsEmpty) return;
            _loop.AddWriter(_fd, _onWritable);
        }
        _buffer.Append(data);
        _flowControl.Grew(_buffer.Count);
    }

    /// <summary>One non-blocking write: the count written (0 if the pipe is full), or -1 after a fatal error.</summary>
    private int WriteSome(ReadOnlySpan<byte> data)
    {
        nint written = SpawnNative.write(_pipe, ref MemoryMarshal.GetReference(data), data.Length);
        if (written >= 0) return (int)written;
        if (ErrorUnlessWouldBlock("write") is not { } error) return 0;
        // The pipe's own failure ends the connection quietly: the protocol hears it, the exception handler does not.
        ForceClose(error);
        return -1;
    }

    /// <summary>The writer: the pipe has room, write what is buffered.</summary>
    private void WriteReady()
    {
        Debug.Assert(_buffer.Count > 0 || _connectionLost, "the writer is registered only while bytes are pending");
        if (_connectionLost) return;
        int written = WriteSome(_buffer.Pending);
        if (written < 0) return;
        _buffer.Consume(written);
        _flowControl.Drained(_buffer.Count);
        if (_buffer.Count > 0) return;
        _loop.RemoveWriter(_fd);
        // This runs in a later iteration than Close(), so calling the protocol here keeps asyncio's promise.
        if (_closing)
        {
            _loop.RemoveReader(_fd);
            CallConnectionLost(null);
        }
    }

    /// <summary>The reading end was closed: with bytes still buffered that is a broken pipe, else a plain close.</summary>
    private void PeerClosed()
    {
        if (_connectionLost) return;
        if (_buffer.Count > 0) ForceClose(SpawnNative.Error("write", EPIPE));
        else ForceClose(null);
    }

    /// <summary>A pipe has no half-close: the end of the data is the close of the pipe, once the buffer is flushed.</summary>
    public override void WriteEof()
    {
        if (_closing) return;
        _eof = true;
        Close();
    }

    /// <inheritdoc/>
    public override void PauseReading() => throw WrongDirection(nameof(PauseReading));

    /// <inheritdoc/>
    public override void ResumeReading() => throw WrongDirection(nameof(ResumeReading));

    /// <inheritdoc/>
    public override void SetWriteBufferLimits(int? high = null, int? low = null) => _flowControl.SetLimits(high, low, _buffer.Count);

    /// <inheritdoc/>
    public override int GetWriteBufferSize() => _buffer.Count;
}
