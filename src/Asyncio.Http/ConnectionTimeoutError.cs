namespace Asyncio.Http;

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
