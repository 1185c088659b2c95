namespace Asyncio.Http;

/// <summary>
/// The timeouts of a request, in seconds; null means no limit. Every limit raises a
/// <see cref="TimeoutException"/> when it expires.
/// <para>aiohttp: <c>aiohttp.ClientTimeout(total=None, connect=None, sock_read=None)</c>.</para>
/// </summary>
/// <remarks>
/// <para>These timeouts are measured in real time, on the clock of .NET's HTTP stack, whatever the loop's clock:
/// a request on a virtual-time loop still takes its real duration. Only the wait for a free connection slot
/// (<see cref="ClientSessionOptions.Limit"/>, <see cref="ClientSessionOptions.LimitPerHost"/>) is a wait on the
/// loop, measured on the loop's clock.</para>
/// </remarks>
public sealed record ClientTimeout
{
    /// <summary>
    /// Creates a set of timeouts.
    /// <para>aiohttp: <c>ClientTimeout(total=..., connect=..., sock_read=...)</c>.</para>
    /// </summary>
    /// <param name="total">The whole request: connecting, sending, redirects and reading the body to its end.</param>
    /// <param name="connect">Acquiring a connection: waiting for a free slot under the limits, then the TCP connect of a new connection.</param>
    /// <param name="sockRead">The longest wait for the response's headers or for the next piece of its body.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is not a positive number of seconds (zero, negative, NaN or infinite).</exception>
    public ClientTimeout(double? total = null, double? connect = null, double? sockRead = null)
    {
        Total = Checked(total, nameof(total));
        Connect = Checked(connect, nameof(connect));
        SockRead = Checked(sockRead, nameof(sockRead));
    }

    /// <summary>aiohttp's default: five minutes in total.</summary>
    public static ClientTimeout Default { get; } = new(total: 300);

    /// <summary>No limit at all.</summary>
    public static ClientTimeout None { get; } = new();

    /// <summary>Seconds for the whole request, body included; null for no limit. <para>aiohttp: <c>total</c>.</para></summary>
    public double? Total { get; }

    /// <summary>Seconds to acquire a connection (slot wait and TCP connect); null for no limit. <para>aiohttp: <c>connect</c>.</para></summary>
    public double? Connect { get; }

    /// <summary>Seconds between two reads from the server (headers, then each body chunk); null for no limit. <para>aiohttp: <c>sock_read</c>.</para></summary>
    public double? SockRead { get; }

    private static double? Checked(double? seconds, string name)
    {
        if (seconds is { } value && !(value > 0 && double.IsFinite(value)))
        {
            throw new ArgumentOutOfRangeException(name, value, "A timeout is a positive number of seconds, or null for none.");
        }
        return seconds;
    }
}
