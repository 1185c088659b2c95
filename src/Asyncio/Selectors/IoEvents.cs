namespace Asyncio;

/// <summary>
/// What a selector watches a file descriptor for, and what it reports ready
/// (asyncio: <c>selectors.EVENT_READ</c>, <c>selectors.EVENT_WRITE</c>).
/// </summary>
[Flags]
internal enum IoEvents : byte
{
    /// <summary>Not watched.</summary>
    None = 0,

    /// <summary>Readable: data, a connection to accept, end of file, or an error.</summary>
    Read = 1,

    /// <summary>Writable: room in the send buffer, a connect that finished, or an error.</summary>
    Write = 2,
}

/// <summary>A file descriptor a selector found ready, and for what (asyncio: one <c>(key, events)</c> of <c>select()</c>).</summary>
/// <param name="Fd">The descriptor.</param>
/// <param name="Events">Ready for: an error or hang-up reports both directions, as asyncio's epoll selector does.</param>
internal readonly record struct ReadyEvent(int Fd, IoEvents Events);
