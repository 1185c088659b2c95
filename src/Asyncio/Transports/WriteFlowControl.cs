using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// The water marks of a transport's write buffer and the protocol's paused state: tells the protocol to pause
/// once when the buffer grows above the high mark, and to resume once when it drains to the low one
/// (asyncio: <c>transports._FlowControlMixin</c>). A pause or resume callback that throws is reported to the
/// loop's exception handler and the transport goes on, as in asyncio.
/// </summary>
[DebuggerDisplay("high={_high} low={_low} paused={_paused}")]
internal sealed class WriteFlowControl
{
    /// <summary>The default high-water mark (asyncio: 64 KiB); the low one is a quarter of it.</summary>
    private const int DefaultHighWater = 64 * 1024;

    /// <summary>The loop whose exception handler hears a failing callback.</summary>
    private readonly EventLoop _loop;

    /// <summary>The transport and protocol named in a report.</summary>
    private readonly object _transport, _protocol;

    /// <summary>The protocol's <c>PauseWriting</c> and <c>ResumeWriting</c>.</summary>
    private readonly Action _pause, _resume;

    private int _high = DefaultHighWater;
    private int _low = DefaultHighWater / 4;

    /// <summary>The protocol was told to pause and not yet to resume.</summary>
    private bool _paused;

    public WriteFlowControl(EventLoop loop, object transport, object protocol, Action pause, Action resume)
    {
        _loop = loop;
        _transport = transport;
        _protocol = protocol;
        _pause = pause;
        _resume = resume;
    }

    /// <summary>Sets the marks (asyncio's defaults for what is null), then pauses if the buffer is already above the new high one.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not <c>high &gt;= low &gt;= 0</c>.</exception>
    public void SetLimits(int? high, int? low, int bufferSize)
    {
        SetMarks(high, low);
        Grew(bufferSize);
    }

    /// <summary>Sets the marks (asyncio's defaults for what is null) without looking at the buffer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not <c>high &gt;= low &gt;= 0</c>.</exception>
    public void SetMarks(int? high, int? low)
    {
        int h = high ?? (low is { } l ? 4 * l : DefaultHighWater);
        int w = low ?? h / 4;
        if (w < 0) throw new ArgumentOutOfRangeException(nameof(low), w, "the low-water mark must be >= 0");
        if (h < w) throw new ArgumentOutOfRangeException(nameof(high), h, $"the high-water mark must be >= the low-water mark {w}");
        _high = h;
        _low = w;
    }

    /// <summary>The buffer grew to <paramref name="bufferSize"/>: tell the protocol once if it went above the high mark.</summary>
    public void Grew(int bufferSize)
    {
        if (bufferSize <= _high || _paused) return;
        _paused = true;
        Call(_pause, "protocol.pause_writing() failed");
    }

    /// <summary>The buffer drained to <paramref name="bufferSize"/>: tell a paused protocol once it is at the low mark.</summary>
    public void Drained(int bufferSize)
    {
        if (!_paused || bufferSize > _low) return;
        _paused = false;
        Call(_resume, "protocol.resume_writing() failed");
    }

    private void Call(Action callback, string failure)
    {
        try
        {
            callback();
        }
        catch (Exception error)
        {
            _loop.CallExceptionHandler(new ExceptionContext(failure)
            {
                Exception = error,
                Extra = new Dictionary<string, object?> { ["transport"] = _transport, ["protocol"] = _protocol },
            });
        }
    }
}
