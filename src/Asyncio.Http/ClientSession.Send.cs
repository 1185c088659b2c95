using System.Net;
using System.Net.Sockets;

namespace Asyncio.Http;

public sealed partial class ClientSession
{
    /// <summary>
    /// The request with its retries: each attempt (after one unit of the rate limiter) runs the whole redirect
    /// chain under fresh timeouts; a failed attempt of a retryable method waits its backoff on the loop.
    /// </summary>
    private async Coroutine<ClientResponse> SendAsync(RequestPlan plan)
    {
        RetryOptions retry = plan.Retry;
        for (int attempt = 1; ; attempt++)
        {
            bool last = attempt >= plan.Attempts;
            if (_options.Limiter is { } limiter) await limiter.AcquireAsync();
            ClientResponse response;
            try
            {
                response = await AttemptAsync(plan);
            }
            catch (Exception error) when (!last && IsRetryableFailure(error))
            {
                await Aio.Sleep(retry.DelayBefore(attempt, null));
                continue;
            }
            if (!last && retry.RetriesStatus(response.Status))
            {
                double delay = retry.DelayBefore(attempt, response.RawHeaders);
                response.Release();
                await Aio.Sleep(delay);
                continue;
            }
            if (plan.RaiseForStatus) response.RaiseForStatus();
            return response;
        }
    }

    /// <summary>A failure worth another attempt: the connection failed or broke, or the server did not answer in time.</summary>
    private static bool IsRetryableFailure(Exception error) => error switch
    {
        ServerTimeoutError => true,
        ClientResponseError => false,
        HttpRequestException http => http.HttpRequestError is HttpRequestError.ConnectionError
            or HttpRequestError.NameResolutionError or HttpRequestError.ResponseEnded,
        _ => false,
    };

    /// <summary>One attempt: sends the request and follows its redirects, all under one <see cref="RequestDeadline"/>.</summary>
    private async Coroutine<ClientResponse> AttemptAsync(RequestPlan plan)
    {
        var deadline = new RequestDeadline(plan.Timeout);
        var history = new List<ClientResponse>();
        HttpMethod method = plan.Method;
        Uri url = plan.Url;
        bool withBody = true;
        bool withAuthorization = true;
        try
        {
            while (true)
            {
                ClientResponse response = await SendOnceAsync(plan, method, url, withBody, withAuthorization, deadline, history);
                if (!plan.AllowRedirects || !IsRedirect(response.Status) || response.Location is not { } location) return response;
                response.Content.DetachDeadline();
                response.Release();
                history.Add(response);
                if (plan.MaxRedirects > 0 && history.Count >= plan.MaxRedirects) throw new TooManyRedirects([.. history]);
                Uri next = new(url, location);
                if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
                {
                    throw new HttpRequestException($"Redirect from {url} to a non-HTTP URL: {next}");
                }
                // aiohttp's rules: 303 turns anything but HEAD into a GET, 301 and 302 turn a POST into a GET.
                if ((response.Status == 303 && method != HttpMethod.Head) || (response.Status is 301 or 302 && method == HttpMethod.Post))
                {
                    method = HttpMethod.Get;
                    withBody = false;
                }
                if (!SameOrigin(url, next)) withAuthorization = false;
                url = next;
            }
        }
        catch
        {
            deadline.Dispose();
            throw;
        }
    }

    private static bool IsRedirect(int status) => status is 301 or 302 or 303 or 307 or 308;

    private static bool SameOrigin(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    /// <summary>
    /// One request on the wire: takes the connection slots (the connect timeout covers that wait and the TCP
    /// connect), sends, and waits for the headers (the read timeout covers that wait).
    /// </summary>
    private async Coroutine<ClientResponse> SendOnceAsync(RequestPlan plan, HttpMethod method, Uri url, bool withBody,
        bool withAuthorization, RequestDeadline deadline, List<ClientResponse> history)
    {
        ThrowIfClosed();
        EventLoop loop = Aio.GetRunningLoop();
        BindTo(loop);
        double start = loop.Time();
        if (!_slots.TryTake(url, out ConnectionSlots.Slot? slot))
        {
            bool totalBounds = deadline.TotalBoundsConnect(0);
            try
            {
                slot = await _slots.AcquireAsync(url, deadline.ConnectBudget(0));
            }
            catch (ConnectionTimeoutError error) when (deadline.Expired || totalBounds)
            {
                throw deadline.TotalTimeoutError(error);
            }
        }
        try
        {
            ThrowIfClosed();
            HttpRequestMessage request = plan.Build(method, url, withBody, withAuthorization, _options.HttpVersion, _options.VersionPolicy);
            if (_options.AutoDecompress && !request.Headers.Contains("Accept-Encoding"))
            {
                request.Headers.TryAddWithoutValidation("Accept-Encoding", BodyReader.AcceptedEncodings);
            }
            // The wait goes on with the body (its reader disposes it), unless the send fails.
            var wait = new ServerWait(deadline, deadline.ConnectBudget(loop.Time() - start), TaskToken.Current());
            request.Options.Set(ServerWait.Key, wait);
            request.Options.Set(LoopKey, loop);
            BodyReader body;
            try
            {
                body = await SendOwnedAsync(_invoker, request, wait, loop, _options.AutoDecompress);
            }
            catch (Exception error)
            {
                Exception? timeout = SendTimeout(error, wait, deadline);
                wait.Dispose();
                if (timeout is not null) throw timeout;
                throw;
            }
            return new ClientResponse(body, method, url, deadline, slot, [.. history], _json);
        }
        catch
        {
            slot.Release();
            throw;
        }
    }

    /// <summary>
    /// Sends, and once the headers are in, hands the body to a <see cref="BodyReader"/>; disposes a response that
    /// arrives after its request was cancelled: the coroutine has given up on this await by then, and nobody
    /// else would give its connection back.
    /// </summary>
    /// <remarks>
    /// Runs on the loop thread: the connections are <see cref="LoopSocketStream"/>s, so the HTTP stack's writes and
    /// the reads that find their bytes there complete at once, and the others complete on the loop's selector,
    /// where the HTTP stack then parses the response, with no thread hop.
    /// </remarks>
    private static async Task<BodyReader> SendOwnedAsync(HttpMessageInvoker invoker, HttpRequestMessage request, ServerWait wait,
        EventLoop loop, bool decode)
    {
        // Read now: a request abandoned meanwhile has disposed the wait, and a disposed source gives no token.
        CancellationToken token = wait.Token;
        HttpResponseMessage response = await invoker.SendAsync(request, token).ConfigureAwait(false);
        try
        {
            token.ThrowIfCancellationRequested();
            // The body's reads wait under the same timers and cancellation as the send.
            wait.HeadersArrived();
            return new BodyReader(response, wait, loop, decode);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The timeout error a failed send raises instead of <paramref name="error"/>, if it was one of the session's timeouts.</summary>
    private static Exception? SendTimeout(Exception error, ServerWait wait, RequestDeadline deadline) => error switch
    {
        OperationCanceledException canceled => wait.TimeoutFor(canceled),
        HttpRequestException http when Find<ServerTimeoutError>(http) is { } timeout =>
            deadline.Expired ? deadline.TotalTimeoutError(http) : timeout,
        _ => null,
    };

    private static T? Find<T>(Exception error) where T : Exception
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (e is T found) return found;
        }
        return null;
    }

    /// <summary>Where the connect callback finds the loop of the request that opened a connection.</summary>
    private static readonly HttpRequestOptionsKey<EventLoop> LoopKey = new("Asyncio.Http.Loop");

    /// <summary>
    /// Opens the TCP connection of a new pooled connection under the connect timeout of the request that asked
    /// for it, pausing that request's read timer meanwhile: a <see cref="LoopSocketStream"/> served by the
    /// request's loop. Runs on the HTTP stack's threads.
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        context.InitialRequestMessage.Options.TryGetValue(ServerWait.Key, out ServerWait? wait);
        wait?.ConnectStarted();
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (wait?.ConnectBudget is { } budget) timer.CancelAfter(TimeSpan.FromSeconds(budget));
        if (!context.InitialRequestMessage.Options.TryGetValue(LoopKey, out EventLoop? loop))
        {
            throw new InvalidOperationException("A session's connection was asked for by a request the session did not send.");
        }
        Stream stream;
        try
        {
            stream = loop.CanWatchDescriptors
                ? await ConnectLoopStreamAsync(loop, context.DnsEndPoint, timer.Token).ConfigureAwait(false)
                : await ConnectNetworkStreamAsync(context.DnsEndPoint, timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ConnectionTimeoutError(
                $"Connection timeout to host {context.DnsEndPoint.Host}:{context.DnsEndPoint.Port}: not connected within {wait?.ConnectBudget} s.", error);
        }
        wait?.Connected();
        return stream;
    }

    /// <summary>
    /// A connection served by the loop's selector, on which the HTTP stack's own continuations go on inline (its code
    /// never blocks), so that a response is parsed, and handed to the awaiting coroutine, on the loop thread.
    /// </summary>
    private static async Task<Stream> ConnectLoopStreamAsync(EventLoop loop, DnsEndPoint address, CancellationToken cancellationToken)
    {
        LoopSocketStream stream = await loop.ConnectSocketStreamAsync(address, cancellationToken).ConfigureAwait(false);
        stream.InlineContinuations = true;
        return stream;
    }

    /// <summary>A connection for a loop whose selector cannot watch sockets: a plain <see cref="NetworkStream"/>, served by .NET's own socket engine.</summary>
    private static async Task<Stream> ConnectNetworkStreamAsync(DnsEndPoint address, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
