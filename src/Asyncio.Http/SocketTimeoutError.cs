namespace Asyncio.Http;

/// <summary>
/// The <see cref="ClientTimeout.SockRead"/> timeout expired: the server sent nothing for that long.
/// <para>aiohttp: <c>aiohttp.SocketTimeoutError</c>.</para>
/// </summary>
public sealed class SocketTimeoutError : ServerTimeoutError
{
    /// <summary>Creates the error.</summary>
    public SocketTimeoutError(string message) : base(message) { }

    /// <summary>Creates the error with its cause.</summary>
    public SocketTimeoutError(string message, Exception? innerException) : base(message, innerException) { }
}
