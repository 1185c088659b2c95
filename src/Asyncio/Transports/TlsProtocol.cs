using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Asyncio;

/// <summary>
/// TLS between a plain transport and an application protocol: it is the plain transport's protocol, and its
/// <see cref="TlsTransport"/> is the application protocol's transport. Records go through an <see cref="SslStream"/>
/// over a <see cref="TlsRecordStream"/> (asyncio: <c>sslproto.SSLProtocol</c>, which drives an <c>ssl.SSLObject</c>
/// over two <c>MemoryBIO</c>s).
/// </summary>
/// <remarks>
/// <para>Threads: every member runs on the loop's thread. An <c>SslStream</c> operation that does not complete at once
/// completes when a later <see cref="DataReceived"/> feeds its records; its continuation is then posted to the loop
/// (<see cref="Post"/>), so the application protocol is only ever called from the ready queue or from this class's
/// own frames, never inside the <c>SslStream</c>'s, and never on another thread.</para>
/// <para>Order, as asyncio's: the handshake; then <see cref="Protocol.ConnectionMade"/> (unless started by
/// <c>StartTlsAsync</c>) and the waiter; then data; at most one <see cref="Protocol.EofReceived"/>; then
/// <see cref="Protocol.ConnectionLost"/>, called when the plain transport's connection is lost.</para>
/// <para>Flow control: plaintext written by the application waits in <see cref="_backlog"/> while the plain
/// transport is paused; the application hears <see cref="Protocol.PauseWriting"/> when the backlog passes its high-water
/// mark. Incoming records wait in the record stream while the application has paused reading; above
/// <see cref="IncomingHighWater"/> the plain transport stops reading.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
internal sealed partial class TlsProtocol : Protocol
{
    /// <summary>asyncio's incoming high-water mark: records buffered for a paused application before the socket is paused.</summary>
    private const int IncomingHighWater = 256 * 1024;

    /// <summary>asyncio's incoming low-water mark.</summary>
    private const int IncomingLowWater = 64 * 1024;

    /// <summary>The most plaintext handed to the <c>SslStream</c> in one write, so a paused transport is not overfilled.</summary>
    private const int WriteChunk = 64 * 1024;

    /// <summary>The size of one decrypted read (a TLS record holds at most 16 KiB).</summary>
    private const int ReadSize = 64 * 1024;

    private enum State
    {
        /// <summary>Waiting for the plain transport, or in the handshake.</summary>
        Handshaking,

        /// <summary>Application data flows both ways.</summary>
        Wrapped,

        /// <summary>Closing: the backlog is still being written.</summary>
        Flushing,

        /// <summary>close_notify sent; waiting for the peer's, or its EOF.</summary>
        ShuttingDown,

        /// <summary>Done: the plain transport is closing or closed.</summary>
        Unwrapped,
    }

    /// <summary>The loop of both transports.</summary>
    private readonly EventLoop _loop;

    /// <summary>The application's protocol.</summary>
    private readonly Protocol _app;

    /// <summary>Client or server, with the options and the handshake timeout.</summary>
    private readonly TlsSide _side;

    /// <summary>Whether the handshake ends with <see cref="Protocol.ConnectionMade"/> (not after <c>StartTlsAsync</c>).</summary>
    private readonly bool _callConnectionMade;

    /// <summary>The records' way in and out.</summary>
    private readonly TlsRecordStream _records;

    /// <summary>The TLS session.</summary>
    private readonly SslStream _ssl;

    /// <summary>Where decrypted bytes land before the application sees them.</summary>
    private readonly byte[] _readBuffer = new byte[ReadSize];

    /// <summary>The application's view of the connection.</summary>
    private readonly TlsTransport _appTransport;

    /// <summary>Plaintext written by the application and not yet encrypted.</summary>
    private readonly Queue<byte[]> _backlog = new();

    /// <summary>Completed when the handshake ends (null after); its failure is the connect's.</summary>
    private Future<bool>? _waiter;

    /// <summary>Completed when the plain transport's connection is lost.</summary>
    private readonly Future<bool> _plainLost;

    /// <summary>The plain transport, once it made the connection.</summary>
    private ITransport? _plain;

    private State _state = State.Handshaking;

    /// <summary>Aborts a handshake that takes too long, or a shutdown whose peer never answers.</summary>
    private TimerHandle? _timer;

    /// <summary>The error to give <see cref="Protocol.ConnectionLost"/> when this side aborted the plain transport because of it.</summary>
    private Exception? _fatalError;

    /// <summary>Bytes of <see cref="_backlog"/>; <see cref="_backlogOffset"/> of the first array were written already.</summary>
    private int _backlogSize, _backlogOffset;

    /// <summary>An <c>SslStream</c> read or write is pending; its completion is posted.</summary>
    private bool _readInFlight, _writeInFlight;

    /// <summary>Decrypted bytes in <see cref="_readBuffer"/> that a paused application has not seen yet.</summary>
    private int _held;

    /// <summary>The application paused reading; this side paused the plain transport's reading.</summary>
    private bool _appReadingPaused, _plainReadingPaused;

    /// <summary>The plain transport paused writing.</summary>
    private bool _plainWritingPaused;

    /// <summary>The application's write-buffer water marks over the plaintext backlog, and its paused state.</summary>
    private readonly WriteFlowControl _appFlow;

    /// <summary>The peer's EOF or close_notify arrived.</summary>
    private bool _eofReceived;

    /// <summary>The application protocol was told of the connection and not yet of its loss.</summary>
    private bool _appConnected;

    /// <summary>Records written by the <c>SslStream</c> on another thread and posted to the loop, not yet sent.</summary>
    private int _recordsPosted;

    /// <summary>Makes the TLS layer; the handshake starts when the plain transport calls <see cref="ConnectionMade"/>.</summary>
    public TlsProtocol(EventLoop loop, Protocol app, TlsSide side, Future<bool>? waiter, bool callConnectionMade)
    {
        _loop = loop;
        _app = app;
        _side = side;
        _waiter = waiter;
        _callConnectionMade = callConnectionMade;
        _plainLost = loop.CreateFuture<bool>();
        _records = new TlsRecordStream(SendRecords);
        _ssl = new SslStream(_records, leaveInnerStreamOpen: false);
        _appTransport = new TlsTransport(this);
        _appFlow = new WriteFlowControl(loop, _appTransport, app, app.PauseWriting, app.ResumeWriting);
        _appConnected = !callConnectionMade;   // after StartTlsAsync the protocol had the connection already
    }

    /// <summary>The application's transport.</summary>
    public TlsTransport AppTransport => _appTransport;

    /// <summary>Completes once the plain transport closed its socket (so a failed connect leaks no descriptor).</summary>
    public Future<bool> PlainLost => _plainLost;

    /// <summary>The peer's certificate, once the handshake is done (<c>GetExtraInfo("peercert")</c>).</summary>
    internal System.Security.Cryptography.X509Certificates.X509Certificate? PeerCertificate { get; private set; }

    /// <summary>The negotiated cipher suite, once the handshake is done (<c>GetExtraInfo("cipher")</c>).</summary>
    internal TlsCipherSuite? CipherSuite { get; private set; }

    /// <summary>The authentication options (<c>GetExtraInfo("sslcontext")</c>).</summary>
    internal object Options => _side.Options;

    /// <summary>The TLS session, for <c>GetExtraInfo("ssl_object")</c>.</summary>
    internal SslStream SslStream => _ssl;

    // ------------------------------------------------------------------ the plain transport's callbacks

    /// <summary>The plain connection is there: start the handshake and its timer.</summary>
    public override void ConnectionMade(ITransport transport)
    {
        _plain = transport;
        _appTransport.Plain = transport;
        if (_state == State.Unwrapped)
        {
            transport.Abort();   // aborted before the connection was made (a cancelled connect)
            return;
        }
        _timer = _loop.CallLater(_side.HandshakeTimeout, static self => self.HandshakeTimedOut(), this);
        Task handshake;
        try
        {
            handshake = _side.Client is { } client
                ? _ssl.AuthenticateAsClientAsync(client)
                : _ssl.AuthenticateAsServerAsync(_side.Server!);
        }
        catch (Exception error)
        {
            HandshakeFailed(error);
            return;
        }
        WhenDone(handshake, static (self, task) => self.HandshakeDone(task));
    }

    /// <inheritdoc/>
    public override void DataReceived(ReadOnlySpan<byte> data)
    {
        if (_state == State.Unwrapped) return;
        _records.Feed(data);
        ControlPlainReading();
    }

    /// <summary>The peer's EOF: the <c>SslStream</c> reads it as the end of the records. The plain transport stays
    /// open so that this side can still send its close_notify.</summary>
    public override bool EofReceived()
    {
        _records.FeedEof();
        return true;
    }

    /// <summary>The plain transport's socket is closed: finish every pending operation, then tell the application.</summary>
    public override void ConnectionLost(Exception? exception)
    {
        Exception? error = exception ?? _fatalError;
        bool wasHandshaking = _state == State.Handshaking;
        _state = State.Unwrapped;
        CancelTimer();
        _backlog.Clear();
        _backlogSize = 0;
        _records.Fail(error ?? new SocketException((int)SocketError.ConnectionReset));
        _ssl.Dispose();
        _plainLost.SetResult(true);
        if (wasHandshaking) WakeWaiter(error ?? new SocketException((int)SocketError.ConnectionReset));
        if (!_appConnected) return;
        _appConnected = false;
        _app.ConnectionLost(error);
    }

    /// <inheritdoc/>
    public override void PauseWriting() => _plainWritingPaused = true;

    /// <inheritdoc/>
    public override void ResumeWriting()
    {
        _plainWritingPaused = false;
        PumpWrites();
    }

    // ------------------------------------------------------------------ the handshake

    private void HandshakeDone(Task handshake)
    {
        if (_state != State.Handshaking) return;   // aborted meanwhile: the task's error was observed by WhenDone
        if (handshake.Exception is { } failure)
        {
            HandshakeFailed(failure.InnerException ?? failure);
            return;
        }
        CancelTimer();
        _state = State.Wrapped;
        PeerCertificate = _ssl.RemoteCertificate;   // read now: a disposed SslStream no longer tells
        CipherSuite = _ssl.NegotiatedCipherSuite;
        if (_callConnectionMade)
        {
            _appConnected = true;
            try
            {
                _app.ConnectionMade(_appTransport);
            }
            catch (Exception error)
            {
                Fatal(error, "Fatal error: protocol.connection_made() call failed.");
            }
        }
        else _appConnected = true;
        WakeWaiter(null);
        PumpReads();
        PumpWrites();
    }

    /// <summary>asyncio: <c>_check_handshake_timeout</c>, with .NET's exception for a timeout.</summary>
    private void HandshakeTimedOut()
    {
        _timer = null;
        if (_state != State.Handshaking) return;
        HandshakeFailed(new TimeoutException(
            $"SSL handshake is taking longer than {_side.HandshakeTimeout} seconds: aborting the connection"));
    }

    /// <summary>The handshake failed: abort the plain transport and fail the waiter (asyncio: <c>_on_handshake_complete(exc)</c>).</summary>
    private void HandshakeFailed(Exception error)
    {
        if (_state != State.Handshaking) return;
        CancelTimer();
        Fatal(error, "SSL handshake failed");
        WakeWaiter(error);
    }

    private void WakeWaiter(Exception? error)
    {
        Future<bool>? waiter = _waiter;
        _waiter = null;
        if (waiter is null || waiter.IsDone) return;
        if (error is null) waiter.SetResult(true);
        else waiter.SetException(error);
    }

    private void CancelTimer()
    {
        _timer?.Cancel();
        _timer = null;
    }

    // ------------------------------------------------------------------ errors

    /// <summary>
    /// An error the connection cannot go on after: the plain transport is aborted and the application hears the error
    /// in <see cref="Protocol.ConnectionLost"/>. I/O and TLS errors are ordinary events and go to the loop's debug log
    /// only; any other error (a protocol callback's) also to the exception handler (asyncio: <c>_fatal_error</c>).
    /// </summary>
    private void Fatal(Exception error, string message)
    {
        if (_state == State.Unwrapped && _fatalError is not null) return;
        _fatalError ??= error;
        _state = State.Unwrapped;
        CancelTimer();
        if (error is IOException or AuthenticationException or SocketException or TimeoutException or ObjectDisposedException)
        {
            if (_loop.Debug) _loop.CallExceptionHandler(new ExceptionContext($"{this}: {message}") { Exception = error });
        }
        else
        {
            _loop.CallExceptionHandler(new ExceptionContext(message)
            {
                Exception = error,
                Extra = new Dictionary<string, object?> { ["transport"] = _appTransport, ["protocol"] = _app },
            });
        }
        _plain?.Abort();
    }

    // ------------------------------------------------------------------ completions

    /// <summary>
    /// Runs <paramref name="then"/> on the loop once <paramref name="task"/> is done: at once when it already is, else
    /// posted from its continuation. The continuation runs wherever the task completes (inside a
    /// <see cref="DataReceived"/>, normally) and only posts, without the detour through the loop's
    /// <c>SynchronizationContext</c>. The task's error is observed there, so that nothing is reported as unobserved
    /// even when the loop is closed before the post runs.
    /// </summary>
    private void WhenDone<TTask>(TTask task, Action<TlsProtocol, TTask> then) where TTask : Task
    {
        if (task.IsCompleted)
        {
            then(this, task);
            return;
        }
        task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() =>
        {
            _ = task.Exception;
            Post(() => then(this, task));
        });
    }

    /// <summary>Queues <paramref name="action"/> on the loop, from its thread or any other; dropped when the loop is closed.</summary>
    private void Post(Action action)
    {
        try
        {
            if (EventLoop.RunningOrNull == _loop) _loop.CallSoon(action);
            else _loop.CallSoonThreadsafe(action);
        }
        catch (InvalidOperationException) when (_loop.IsClosed)
        {
            // A closed loop disposed the socket already; there is nobody left to tell.
        }
    }

    /// <summary>
    /// The record stream's output: sent through the plain transport. The <c>SslStream</c> writes from the loop's
    /// thread, except during a handshake, which it partly runs on the thread pool: a write from another thread is
    /// copied and posted, and later ones follow it through the loop so that records keep their order.
    /// </summary>
    private void SendRecords(ReadOnlySpan<byte> records)
    {
        if (EventLoop.RunningOrNull == _loop && Volatile.Read(ref _recordsPosted) == 0)
        {
            WritePlain(records);
            return;
        }
        byte[] copy = records.ToArray();
        Interlocked.Increment(ref _recordsPosted);
        Post(() =>
        {
            Interlocked.Decrement(ref _recordsPosted);
            WritePlain(copy);
        });
    }

    private void WritePlain(ReadOnlySpan<byte> records)
    {
        if (_plain is null || _plain.IsClosing) return;
        _plain.Write(records);
    }

    /// <inheritdoc/>
    public override string ToString() => $"<TlsProtocol {(_side.Client is null ? "server" : "client")} state={_state} plain={_plain}>";
}
