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
    private readonly BodyReader _body;
    private readonly ClientResponse _response;
    private RequestDeadline? _deadline;
    /// <summary>A piece read and handed out only in part (its rest starts at <see cref="_headOffset"/>).</summary>
    private byte[]? _head;
    private int _headOffset;
    private bool _collecting;
    /// <summary>A read of the network is in flight (one at a time, as aiohttp's <c>StreamReader</c> allows one waiter).</summary>
    private bool _reading;
    private bool _ended;

    internal ResponseContent(BodyReader body, RequestDeadline deadline, ClientResponse response)
    {
        _body = body;
        _deadline = deadline;
        _response = response;
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
    /// Reads up to <paramref name="buffer"/>'s length of the body into it; 0 at the end. Nothing is allocated by a
    /// read whose bytes have arrived: the way to read a large body into a buffer of one's own, as
    /// <see cref="Stream.ReadAsync(Memory{byte}, CancellationToken)"/> does, and like it a value task, started at the
    /// call (awaited in a coroutine, it is an await like any other: cancelling the task ends it and aborts the read).
    /// <para>aiohttp: none (it gives each chunk as new <c>bytes</c>); the <c>_into</c> form of asyncio's <c>loop.sock_recv_into</c>.</para>
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="buffer"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The response was released before its end, or another task is reading the body.</exception>
    /// <exception cref="TimeoutException">The total or read timeout expired.</exception>
    public ValueTask<int> ReadIntoAsync(Memory<byte> buffer)
    {
        if (buffer.IsEmpty) throw new ArgumentException("The buffer is empty: read into at least one byte.", nameof(buffer));
        return ReadIntoCoreAsync(buffer);
    }

    private async ValueTask<int> ReadIntoCoreAsync(Memory<byte> buffer)
    {
        if (_head is not null)
        {
            int count = Math.Min(buffer.Length, _head.Length - _headOffset);
            _head.AsSpan(_headOffset, count).CopyTo(buffer.Span);
            _headOffset += count;
            if (_headOffset == _head.Length) _head = null;
            return count;
        }
        if (AtEof) return 0;
        ThrowIfUnreadable();
        _reading = true;
        int read;
        try
        {
            read = await _body.ReadIntoAsync(buffer);
        }
        finally
        {
            _reading = false;
        }
        if (read > 0) return read;
        ThrowIfReleased();
        AtEof = true;
        End();
        return 0;
    }

    /// <summary>The rest of the body, read into one array on the loop (under the same timeouts and cancellation).</summary>
    internal async Coroutine<byte[]> ReadToEndAsync()
    {
        if (AtEof) return [];
        ThrowIfUnreadable();
        var pieces = new List<byte[]>(2);
        if (_head is not null) pieces.Add(Cut(int.MaxValue));
        _collecting = true;
        try
        {
            pieces.Add(await _body.ReadRestAsync());
        }
        finally
        {
            _collecting = false;
        }
        ThrowIfReleased();
        AtEof = true;
        End();
        return Concat(pieces);
    }

    private static byte[] Concat(List<byte[]> pieces)
    {
        if (pieces.Count(p => p.Length > 0) <= 1) return pieces.FirstOrDefault(p => p.Length > 0) ?? [];
        byte[] all = GC.AllocateUninitializedArray<byte>(pieces.Sum(p => p.Length));
        int at = 0;
        foreach (byte[] piece in pieces)
        {
            piece.CopyTo(all, at);
            at += piece.Length;
        }
        return all;
    }

    /// <summary>
    /// The body as chunks of at most <paramref name="n"/> bytes, each yielded as soon as it arrives. The socket is
    /// read in pieces of about <paramref name="n"/> bytes (16 KiB to 1 MiB), taken from what the kernel has
    /// buffered, as aiohttp's buffer feeds <c>iter_chunked</c>; the body is never held whole.
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
    public IAsyncEnumerable<byte[]> IterAnyAsync() => Chunks(BodyReader.DefaultRead, default);

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
    /// Up to <paramref name="max"/> bytes of the body, an empty array at its end (which also releases the
    /// connection). Completes at once while the bytes are there; otherwise resumes on the loop thread once the
    /// loop's selector has them.
    /// </summary>
    private ValueTask<byte[]> TakeAsync(int max)
    {
        if (_head is not null) return new(Cut(max));
        if (AtEof) return new([]);
        ThrowIfUnreadable();
        return ReadPieceAsync(max);
    }

    private async ValueTask<byte[]> ReadPieceAsync(int max)
    {
        _reading = true;
        byte[] piece;
        try
        {
            piece = await _body.ReadPieceAsync(max);
        }
        finally
        {
            _reading = false;
        }
        if (piece.Length > 0) return Accept(piece, max);
        ThrowIfReleased();
        AtEof = true;
        End();
        return [];
    }

    /// <summary>A piece fresh from the network: handed out whole when it fits (no copy), else cut.</summary>
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

    private void ThrowIfUnreadable()
    {
        ThrowIfReleased();
        if (_collecting) throw new InvalidOperationException("The body is already being read to its end.");
        if (_reading) throw new InvalidOperationException("Another task is already waiting for this body's next bytes.");
    }

    private void ThrowIfReleased()
    {
        if (IsReleased) throw new InvalidOperationException("The response was released: its body can no longer be read.");
    }

    /// <summary>Gives the connection back before the end of the body (a read in flight stops; the connection is closed unless the body was all read).</summary>
    internal void Release()
    {
        if (!AtEof && !IsReleased)
        {
            IsReleased = true;
            _body.Stop();
        }
        _head = null;
        End();
    }

    /// <summary>Leaves the deadline to the caller: a redirect response hands it on to the next request of its chain.</summary>
    internal void DetachDeadline() => _deadline = null;

    /// <summary>The end of the body or its release, on the loop thread: the deadline, the message and the session's slot go back.</summary>
    private void End()
    {
        _deadline?.Dispose();
        _deadline = null;
        if (_ended) return;
        _ended = true;
        _body.Finish();
        _response.FreeSlot();
    }
}
