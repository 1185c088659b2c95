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

/// <summary>
/// The <see cref="ClientTimeout.Connect"/> timeout expired: no connection was acquired in time.
/// <para>aiohttp: <c>aiohttp.ConnectionTimeoutError</c>.</para>
/// </summary>
public sealed class ConnectionTimeoutError : ServerTimeoutError
{
    /// <summary>Creates the error.</summary>
    public ConnectionTimeoutError(string message) : base(message) { }

    /// <summary>Creates the error with its cause.</summary>
    public ConnectionTimeoutError(string message, Exception? innerException) : base(message, innerException) { }
}

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
