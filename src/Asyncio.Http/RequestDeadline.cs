using System.Diagnostics;
using System.Globalization;

namespace Asyncio.Http;

/// <summary>
/// The timeouts of one request attempt, from its start to the end of its body (or its release): the total
/// deadline as a token that .NET's HTTP stack watches, and the budget left for acquiring a connection.
/// </summary>
/// <remarks>
/// The total deadline is a <see cref="CancellationTokenSource"/> timer, on real time: the HTTP stack runs on
/// real time whatever the loop's clock (see <see cref="ClientTimeout"/>). Each wait on the server is a
/// <see cref="ServerWait"/> that adds the task's token and the <see cref="ClientTimeout.SockRead"/> timer.
/// </remarks>
internal sealed class RequestDeadline : IDisposable
{
    /// <summary>Cancelled when the total timeout expires; null without a total timeout.</summary>
    private readonly CancellationTokenSource? _total;

    /// <summary>When the attempt started (a <see cref="Stopwatch"/> timestamp).</summary>
    private readonly long _started = Stopwatch.GetTimestamp();

    public RequestDeadline(ClientTimeout timeout)
    {
        Timeout = timeout;
        if (timeout.Total is { } total) _total = new CancellationTokenSource(TimeSpan.FromSeconds(total));
    }

    public ClientTimeout Timeout { get; }

    /// <summary>The token cancelled at the total deadline (none without one).</summary>
    public CancellationToken Token => _total?.Token ?? CancellationToken.None;

    /// <summary>True once the total timeout has expired.</summary>
    public bool Expired => _total?.IsCancellationRequested == true;

    /// <summary>Seconds left of the total timeout; null without one.</summary>
    public double? Remaining => Timeout.Total is { } total
        ? Math.Max(0, total - Stopwatch.GetElapsedTime(_started).TotalSeconds)
        : null;

    /// <summary>Seconds left for acquiring a connection: the connect timeout, within what is left of the total one.</summary>
    public double? ConnectBudget(double spent)
    {
        double? connect = Timeout.Connect - spent;
        double? left = Remaining;
        double? budget = connect is null ? left : left is null ? connect : Math.Min(connect.Value, left.Value);
        return budget is null ? null : Math.Max(0, budget.Value);
    }

    /// <summary>
    /// True when what is left of the total timeout, not the connect timeout, bounds <see cref="ConnectBudget"/>: a
    /// connection wait that then runs out has run out of the total time (whichever of the two timers fires first).
    /// </summary>
    public bool TotalBoundsConnect(double spent) =>
        Remaining is { } left && (Timeout.Connect is not { } connect || connect - spent >= left);

    /// <summary>The error of an expired total timeout (aiohttp raises a bare <c>asyncio.TimeoutError</c>).</summary>
    public TimeoutException TotalTimeoutError(Exception? cause = null) => new(
        string.Create(CultureInfo.InvariantCulture, $"The request exceeded its total timeout of {Timeout.Total} s."), cause);

    public void Dispose() => _total?.Dispose();
}
