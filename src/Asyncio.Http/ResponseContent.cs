using System.Runtime.CompilerServices;

namespace Asyncio.Http;

/// <summary>
/// The body of a <see cref="ClientResponse"/>, read from the network as it is asked for: never buffered whole
/// unless <see cref="ClientResponse.ReadAsync"/> is called. Reaching its end gives the connection back to the
/// pool (and the session's connection slot back to other requests).
/// <para>aiohttp: <c>ClientResponse.content</c>, a <c>StreamReader</c>.</para>
/// </summary>
/// <remarks>
/// Each read waits on the server under the request's timeouts (<see cref="ClientTimeout.Total"/>,
/// <see cref="ClientTimeout.SockRead"/>) and the calling task's cancellation token: cancelling the task aborts
/// the read and closes the connection.
/// </remarks>
public sealed class ResponseContent
{
    /// <summary>Bounds of the size of the pump's reads: a tiny <c>n</c> must not mean tiny socket reads.</summary>
    private const int MinPumpRead = 16 * 1024, MaxPumpRead = 1024 * 1024, DefaultPumpRead = 64 * 1024;

    private readonly HttpResponseMessage _message;
    private readonly Stream _stream;
    private readonly Action _onEnd;
    private RequestDeadline? _deadline;
    /// <summary>The off-loop read-ahead, from the first partial read on; null before and for whole-body reads.</summary>
    private BodyPump? _pump;
    /// <summary>The wait of a whole-body read in flight, for <see cref="Release"/> to abort it.</summary>
    private ServerWait? _wholeRead;
    /// <summary>A piece taken from the pump and handed out only in part (its rest starts at <see cref="_headOffset"/>).</summary>
    private byte[]? _head;
    private int _headOffset;
    /// <summary>The response message is disposed when this falls to 0: the content holds it until its end, an off-loop read until it stops.</summary>
    private int _messageHolds = 1;
    private bool _ended;

    internal ResponseContent(HttpResponseMessage message, RequestDeadline deadline, Action onEnd)
    {
        _message = message;
        _stream = message.Content.ReadAsStream();
        _deadline = deadline;
        _onEnd = onEnd;
    }

    /// <summary>True once the body has been read to its end. <para>aiohttp: <c>StreamReader.at_eof()</c>.</para></summary>
    public bool AtEof { get; private set; }

    /// <summary>True once the response was released before its end: nothing more can be read.</summary>
    internal bool IsReleased { get; private set; }

    /// <summary>
    /// Reads up to <paramref name="n"/> bytes, or with -1 everything up to the end. An empty array means the end.
    /// <para>aiohttp: <c>await resp.content.read(n=-1)</c>.</para>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is 0 or less than -1.</exception>
    /// <exception cref="InvalidOperationException">The response was released before its end.</exception>
    /// <exception cref="TimeoutException">The total or read timeout expired.</exception>
    public Coroutine<byte[]> ReadAsync(int n = -1)
    {
        if (n == 0 || n < -1) throw new ArgumentOutOfRangeException(nameof(n), n, "Read at least one byte, or -1 for all.");
        return n == -1 ? ReadToEndAsync() : ReadChunkAsync(n);
    }

    private async Coroutine<byte[]> ReadChunkAsync(int n) => await TakeAsync(n);

    /// <summary>
    /// The rest of the body. When nothing was read yet, one thread-pool operation reads it whole (under the same
    /// timeouts and cancellation) and the loop resumes once; after a partial read, the pump's pieces are joined.
    /// </summary>
    internal async Coroutine<byte[]> ReadToEndAsync()
    {
        if (_pump is null && !AtEof)
        {
            ThrowIfReleased();
            if (_wholeRead is not null) throw new InvalidOperationException("The body is already being read.");
            _wholeRead = new ServerWait(_deadline!, connectBudget: null, TaskToken.Current());
            Interlocked.Increment(ref _messageHolds);
            byte[] body;
            try
            {
                body = await BodyPump.ReadWholeAsync(_stream, _wholeRead, _message.Content.Headers.ContentLength, DropMessage);
            }
            finally
            {
                _wholeRead = null;
            }
            AtEof = true;
            End();
            return body;
        }
        using var rest = new MemoryStream();
        while (await TakeAsync(int.MaxValue) is { Length: > 0 } piece) rest.Write(piece);
        return rest.ToArray();
    }

    /// <summary>
    /// The body as chunks of at most <paramref name="n"/> bytes, each yielded as soon as it arrives. The body is
    /// read ahead off the loop by at most two reads of about <paramref name="n"/> bytes, as aiohttp's buffer
    /// reads ahead of <c>iter_chunked</c>; it is never held whole.
    /// <para>aiohttp: <c>async for chunk in resp.content.iter_chunked(n)</c>.</para>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is not positive.</exception>
    public IAsyncEnumerable<byte[]> IterChunkedAsync(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        return Chunks(n, default);
    }

    /// <summary>
    /// The body as the chunks the network delivers, whatever their size (up to 64 KiB each).
    /// <para>aiohttp: <c>async for data in resp.content.iter_any()</c>.</para>
    /// </summary>
    public IAsyncEnumerable<byte[]> IterAnyAsync() => Chunks(DefaultPumpRead, default);

    private async IAsyncEnumerable<byte[]> Chunks(int n, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] chunk = await TakeAsync(n);
            if (chunk.Length == 0) yield break;
            yield return chunk;
        }
    }

    /// <summary>
    /// Up to <paramref name="max"/> bytes from the pump (started on the first call), an empty array at the end of
    /// the body (which also releases the connection). Completes at once while a piece is queued; otherwise waits
    /// for the pump and resumes on the loop thread, so the end is handled there too.
    /// </summary>
    private ValueTask<byte[]> TakeAsync(int max)
    {
        if (_head is not null) return new(Cut(max));
        if (AtEof) return new([]);
        ThrowIfReleased();
        if (_wholeRead is not null) throw new InvalidOperationException("The body is already being read.");
        _pump ??= StartPump(max);
        return _pump.TryTake(out byte[] piece) ? new(Accept(piece, max)) : WaitAndTakeAsync(_pump, max);
    }

    private async ValueTask<byte[]> WaitAndTakeAsync(BodyPump pump, int max)
    {
        while (true)
        {
            if (pump.TryTake(out byte[] piece)) return Accept(piece, max);
            if (!await pump.WaitAsync(TaskToken.Current()))
            {
                if (pump.TryTake(out piece)) return Accept(piece, max);
                pump.ThrowIfFailed();
                if (IsReleased) ThrowIfReleased();
                AtEof = true;
                End();
                return [];
            }
        }
    }

    private BodyPump StartPump(int firstRead)
    {
        var wait = new ServerWait(_deadline!, connectBudget: null, TaskToken.Current());
        Interlocked.Increment(ref _messageHolds);
        return new BodyPump(_stream, wait, Math.Clamp(firstRead, MinPumpRead, MaxPumpRead), _message.Content.Headers.ContentLength, DropMessage);
    }

    /// <summary>A piece fresh from the pump: handed out whole when it fits (no copy), else cut.</summary>
    private byte[] Accept(byte[] piece, int max)
    {
        if (piece.Length <= max) return piece;
        _head = piece;
        _headOffset = 0;
        return Cut(max);
    }

    /// <summary>The next at most <paramref name="max"/> bytes of <see cref="_head"/>, as a copy of their own.</summary>
    private byte[] Cut(int max)
    {
        byte[] head = _head!;
        int count = Math.Min(max, head.Length - _headOffset);
        byte[] chunk = head.AsSpan(_headOffset, count).ToArray();
        _headOffset += count;
        if (_headOffset == head.Length) _head = null;
        return chunk;
    }

    private void ThrowIfReleased()
    {
        if (IsReleased) throw new InvalidOperationException("The response was released: its body can no longer be read.");
    }

    /// <summary>Gives the connection back before the end of the body (the HTTP stack drains or closes it).</summary>
    internal void Release()
    {
        if (!AtEof && !IsReleased)
        {
            IsReleased = true;
            _pump?.Stop();
            _wholeRead?.Cancel();
        }
        _head = null;
        End();
    }

    /// <summary>Leaves the deadline to the caller: a redirect response hands it on to the next request of its chain.</summary>
    internal void DetachDeadline() => _deadline = null;

    /// <summary>The end of the body or its release, on the loop thread: the deadline and the session's slot go back.</summary>
    private void End()
    {
        _deadline?.Dispose();
        _deadline = null;
        if (_ended) return;
        _ended = true;
        DropMessage();
        _onEnd();
    }

    /// <summary>
    /// One holder of the message lets go; the last disposes it, which returns the connection to the pool (or
    /// drains or closes it). An off-loop read lets go on its own thread once it no longer touches the stream.
    /// </summary>
    private void DropMessage()
    {
        if (Interlocked.Decrement(ref _messageHolds) == 0) _message.Dispose();
    }
}
