namespace Asyncio.Http;

/// <summary>
/// A timeout on the way to or from the server: the base of <see cref="ConnectionTimeoutError"/> and
/// <see cref="SocketTimeoutError"/>. The total timeout raises a plain <see cref="TimeoutException"/>.
/// <para>aiohttp: <c>aiohttp.ServerTimeoutError</c>.</para>
/// </summary>
public class ServerTimeoutError : TimeoutException
{
    /// <summary>Creates the error. <para>aiohttp: <c>ServerTimeoutError(message)</c>.</para></summary>
    public ServerTimeoutError(string message) : base(message) { }

    /// <summary>Creates the error with its cause.</summary>
    public ServerTimeoutError(string message, Exception? innerException) : base(message, innerException) { }
}
