using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Asyncio;

/// <summary>
/// The reading end of a pipe (a child's stdout or stderr) as a transport: a reader registered while reading, each
/// readiness one <c>read</c> into the loop's shared buffer handed to the protocol; at EOF the protocol hears
/// <see cref="Protocol.EofReceived"/> and the transport closes
/// (asyncio: <c>unix_events._UnixReadPipeTransport</c>). Writing members throw <see cref="NotSupportedException"/>.
/// </summary>
internal sealed class ReadPipeTransport : PipeTransport
{
    /// <summary>The selector's reader: a static invoker with the transport as its state.</summary>
    private static readonly Action<object?, object?> s_readReady = static (transport, _) => ((ReadPipeTransport)transport!).ReadReady();

    /// <summary><see cref="PauseReading"/> is in effect.</summary>
    private bool _paused;

    /// <summary>Starts reading <paramref name="pipe"/> (non-blocking) into <paramref name="protocol"/> from the next iteration.</summary>
    public ReadPipeTransport(EventLoop loop, SafeFileHandle pipe, Protocol protocol, Future<bool>? waiter)
        : base(loop, pipe, protocol, waiter)
    {
    }

    /// <inheritdoc/>
    public override bool IsReading => !_paused && !_closing;

    /// <inheritdoc/>
    public override bool CanWriteEof => false;

    /// <inheritdoc/>
    protected override void Register()
    {
        if (IsReading) _loop.AddReader(_fd, s_readReady, this);
    }

    /// <summary>Nothing is buffered on the reading side.</summary>
    protected override bool HasBufferedData => false;

    /// <inheritdoc/>
    protected override void ClearBuffer()
    {
    }

    private void ReadReady()
    {
        if (_connectionLost) return;
        Span<byte> target = _loop.TransportReadBuffer;
        nint count = SpawnNative.read(_pipe, ref MemoryMarshal.GetReference(target), target.Length);
        if (count < 0)
        {
            // The pipe's own failure ends the connection quietly: the protocol hears it, the exception handler does not.
            if (ErrorUnlessWouldBlock("read") is { } error) ForceClose(error);
            return;
        }
        if (count == 0)
        {
            ReadEof();
            return;
        }
        try
        {
            _protocol.DataReceived(target[..(int)count]);
        }
        catch (Exception error)
        {
            Fatal(error, "Fatal error: protocol.data_received() call failed.");
        }
    }

    /// <summary>The writer closed its end: nothing more can come, so the transport closes whatever the protocol answers.</summary>
    private void ReadEof()
    {
        _closing = true;
        _loop.RemoveReader(_fd);
        try
        {
            _protocol.EofReceived();
        }
        catch (Exception error)
        {
            Fatal(error, "Fatal error: protocol.eof_received() call failed.");
            return;
        }
        // A protocol that aborted the transport in EofReceived has already scheduled the one connection-lost call.
        if (!_connectionLost) ScheduleConnectionLost(null);
    }

    /// <inheritdoc/>
    public override void PauseReading()
    {
        if (!IsReading) return;
        _paused = true;
        _loop.RemoveReader(_fd);
    }

    /// <inheritdoc/>
    public override void ResumeReading()
    {
        if (_closing || !_paused) return;
        _paused = false;
        _loop.AddReader(_fd, s_readReady, this);
    }

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> data) => throw WrongDirection(nameof(Write));

    /// <inheritdoc/>
    public override void WriteEof() => throw WrongDirection(nameof(WriteEof));

    /// <inheritdoc/>
    public override void SetWriteBufferLimits(int? high = null, int? low = null) => throw WrongDirection(nameof(SetWriteBufferLimits));

    /// <inheritdoc/>
    public override int GetWriteBufferSize() => 0;
}
