namespace Asyncio.Http;

/// <summary>
/// Reports a <see cref="ClientSession"/> that was never closed, when the collector finds it: closing the session
/// suppresses the finalizer. A separate object so that the report holds neither the session nor its handler.
/// <para>aiohttp: <c>ClientSession.__del__</c>'s "Unclosed client session".</para>
/// </summary>
internal sealed class UnclosedSessionReport
{
    private readonly EventLoop? _loop;
    private readonly string _session;

    public UnclosedSessionReport(EventLoop? loop, string session)
    {
        _loop = loop;
        _session = session;
    }

    ~UnclosedSessionReport()
    {
        var context = new ExceptionContext("Unclosed client session")
        {
            Extra = new Dictionary<string, object?> { ["client_session"] = _session },
        };
        if (_loop is { } loop)
        {
            try
            {
                loop.CallSoonThreadsafe(() => loop.CallExceptionHandler(context));
                return;
            }
            catch (InvalidOperationException)
            {
                // The loop is closed: report from here, as the loop does for its own finalizer reports.
                loop.CallExceptionHandler(context);
                return;
            }
        }
        Console.Error.WriteLine(context);
    }
}
