using System.Globalization;

namespace Asyncio.Http;

/// <summary>
/// A request's waits on the server (for the response's headers, then for each piece of its body that has not
/// arrived yet): a token cancelled by the task's cancellation, the total deadline or the
/// <see cref="ClientTimeout.SockRead"/> timer, and the translation of that cancellation into the error aiohttp raises.
/// </summary>
internal sealed class ServerWait : IDisposable
{
    /// <summary>Where the connect callback finds the wait of the request that opened a connection.</summary>
    public static readonly HttpRequestOptionsKey<ServerWait> Key = new("Asyncio.Http.ServerWait");

    private readonly RequestDeadline _deadline;
    private readonly CancellationToken _taskToken;
    private readonly CancellationTokenSource _source;

    public ServerWait(RequestDeadline deadline, double? connectBudget, CancellationToken taskToken)
    {
        _deadline = deadline;
        _taskToken = taskToken;
        ConnectBudget = connectBudget;
        _source = CancellationTokenSource.CreateLinkedTokenSource(taskToken, deadline.Token);
        StartReadTimer();
    }

    /// <summary>Cancelled by the task, the total deadline or the read timer.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Seconds a new connection may take to connect; null for no limit.</summary>
    public double? ConnectBudget { get; }

    /// <summary>Set once the headers are in: the wait then serves the body's reads only.</summary>
    private volatile bool _headersArrived;

    /// <summary>Stops the read timer while a new connection is made (the connect timeout covers that part).</summary>
    public void ConnectStarted()
    {
        if (!_headersArrived) PauseReadTimer();
    }

    /// <summary>
    /// Starts the read timer again once a new connection is made. A connection the HTTP stack made for this request
    /// can finish after the request went out on another one: then the timer is the body's, and stays as it is.
    /// </summary>
    public void Connected()
    {
        if (!_headersArrived) StartReadTimer();
    }

    /// <summary>The headers are in: the read timer stops until a read of the body waits.</summary>
    public void HeadersArrived()
    {
        _headersArrived = true;
        PauseReadTimer();
    }

    /// <summary>Stops the read timer.</summary>
    public void PauseReadTimer()
    {
        if (_deadline.Timeout.SockRead is not null) SetTimer(Timeout.InfiniteTimeSpan);
    }

    /// <summary>(Re)starts the read timer: the server has this long to send something.</summary>
    public void StartReadTimer()
    {
        if (_deadline.Timeout.SockRead is { } seconds) SetTimer(TimeSpan.FromSeconds(seconds));
    }

    private void SetTimer(TimeSpan delay)
    {
        try
        {
            _source.CancelAfter(delay);
        }
        catch (ObjectDisposedException)
        {
            // A connection made for this request finished after the request itself ended.
        }
    }

    /// <summary>Cancels <see cref="Token"/>: the wait is abandoned (the response was released). Safe after <see cref="Dispose"/>.</summary>
    public void Cancel()
    {
        try
        {
            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The operation behind the wait has already ended.
        }
    }

    /// <summary>
    /// The timeout a cancellation of <see cref="Token"/> stands for, or null when the task itself was cancelled
    /// (the <see cref="OperationCanceledException"/> then goes on as the task's cancellation).
    /// </summary>
    public TimeoutException? TimeoutFor(OperationCanceledException error)
    {
        if (_taskToken.IsCancellationRequested || !_source.IsCancellationRequested) return null;
        if (_deadline.Expired) return _deadline.TotalTimeoutError(error);
        return new SocketTimeoutError(string.Create(CultureInfo.InvariantCulture,
            $"Timeout on reading data from socket: nothing for {_deadline.Timeout.SockRead} s."), error);
    }

    public void Dispose() => _source.Dispose();
}
