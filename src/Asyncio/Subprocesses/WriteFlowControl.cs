namespace Asyncio;

/// <summary>
/// The water marks of a transport's write buffer and the protocol calls they trigger: <see cref="Protocol.PauseWriting"/>
/// once when the buffer grows above the high mark, <see cref="Protocol.ResumeWriting"/> once when it drains to the
/// low mark (asyncio: <c>transports._FlowControlMixin</c>). Loop thread only.
/// </summary>
/// <remarks>Written for the pipe transport; the socket transport keeps the same rules in its own members.</remarks>
internal sealed class WriteFlowControl
{
    /// <summary>The default high-water mark (asyncio: 64 KiB); the low one defaults to a quarter of the high one.</summary>
    public const int DefaultHighWater = 64 * 1024;

    /// <summary>The loop whose exception handler hears a flow-control callback that throws.</summary>
    private readonly EventLoop _loop;

    /// <summary>The transport, named in reports.</summary>
    private readonly ITransport _transport;

    /// <summary>Who is told.</summary>
    private readonly Protocol _protocol;

    private int _highWater = DefaultHighWater;
    private int _lowWater = DefaultHighWater / 4;

    /// <summary>The protocol was told to pause and not yet to resume.</summary>
    private bool _paused;

    public WriteFlowControl(EventLoop loop, ITransport transport, Protocol protocol)
    {
        _loop = loop;
        _transport = transport;
        _protocol = protocol;
    }

    /// <summary>Sets the marks (see <see cref="ITransport.SetWriteBufferLimits"/>) and applies them to <paramref name="buffered"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not <c>high &gt;= low &gt;= 0</c>.</exception>
    public void SetLimits(int? high, int? low, int buffered)
    {
        int h = high ?? (low is { } l ? 4 * l : DefaultHighWater);
        int w = low ?? h / 4;
        if (w < 0) throw new ArgumentOutOfRangeException(nameof(low), w, "the low-water mark must be >= 0");
        if (h < w) throw new ArgumentOutOfRangeException(nameof(high), h, $"the high-water mark must be >= the low-water mark {w}");
        _highWater = h;
        _lowWater = w;
        Grew(buffered);
    }

    /// <summary>The buffer grew to <paramref name="buffered"/> bytes: pause the protocol if it went above the high mark.</summary>
    public void Grew(int buffered)
    {
        if (buffered <= _highWater || _paused) return;
        _paused = true;
        Tell(pause: true);
    }

    /// <summary>The buffer drained to <paramref name="buffered"/> bytes: resume a paused protocol at the low mark.</summary>
    public void Drained(int buffered)
    {
        if (!_paused || buffered > _lowWater) return;
        _paused = false;
        Tell(pause: false);
    }

    /// <summary>A flow-control callback that throws is reported, but the transport goes on, as in asyncio.</summary>
    private void Tell(bool pause)
    {
        try
        {
            if (pause) _protocol.PauseWriting();
            else _protocol.ResumeWriting();
        }
        catch (Exception error)
        {
            _loop.CallExceptionHandler(new ExceptionContext(pause ? "protocol.pause_writing() failed" : "protocol.resume_writing() failed")
            {
                Exception = error,
                Extra = new Dictionary<string, object?> { ["transport"] = _transport, ["protocol"] = _protocol },
            });
        }
    }
}
