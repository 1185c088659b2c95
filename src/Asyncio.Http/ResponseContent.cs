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
    private readonly Stream _stream;
    private readonly Action _onEnd;
    private RequestDeadline? _deadline;

    internal ResponseContent(Stream stream, RequestDeadline deadline, Action onEnd)
    {
        _stream = stream;
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

    private async Coroutine<byte[]> ReadChunkAsync(int n)
    {
        byte[] buffer = new byte[n];
        int read = await ReadSomeAsync(buffer);
        return read == n ? buffer : buffer[..read];
    }

    internal async Coroutine<byte[]> ReadToEndAsync()
    {
        using var body = new MemoryStream();
        byte[] buffer = new byte[16384];
        while (await ReadSomeAsync(buffer) is var read and > 0) body.Write(buffer, 0, read);
        return body.ToArray();
    }

    /// <summary>
    /// The body as chunks of at most <paramref name="n"/> bytes, each what one read from the network gave: a
    /// chunk is yielded as soon as it arrives, and only one is held at a time.
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
    public IAsyncEnumerable<byte[]> IterAnyAsync() => Chunks(65536, default);

    private async IAsyncEnumerable<byte[]> Chunks(int n, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // A read that fills the buffer hands the buffer itself out (a new one is made for the next read); a
        // shorter one hands out a copy and keeps the buffer. Neither is zeroed first: every byte handed out was
        // just read. This saves copying and zeroing each chunk of a large body.
        byte[]? buffer = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            buffer ??= GC.AllocateUninitializedArray<byte>(n);
            int read = await ReadSomeAsync(buffer);
            if (read == 0) yield break;
            if (read == buffer.Length)
            {
                byte[] full = buffer;
                buffer = null;
                yield return full;
            }
            else
            {
                byte[] chunk = GC.AllocateUninitializedArray<byte>(read);
                buffer.AsSpan(0, read).CopyTo(chunk);
                yield return chunk;
            }
        }
    }

    /// <summary>
    /// One read from the network into <paramref name="buffer"/>; 0 at the end of the body, which also releases
    /// the connection. Called on the loop thread; its continuation comes back there through the loop's
    /// synchronization context, so the end is handled on the loop thread too.
    /// </summary>
    internal async ValueTask<int> ReadSomeAsync(Memory<byte> buffer)
    {
        if (AtEof) return 0;
        if (IsReleased) throw new InvalidOperationException("The response was released: its body can no longer be read.");
        using var wait = new ServerWait(_deadline!, connectBudget: null, TaskToken.Current());
        int read;
        try
        {
            read = await _stream.ReadAsync(buffer, wait.Token);
        }
        catch (OperationCanceledException error) when (wait.TimeoutFor(error) is { } timeout)
        {
            throw timeout;
        }
        if (read == 0)
        {
            AtEof = true;
            End();
        }
        return read;
    }

    /// <summary>Gives the connection back before the end of the body (the HTTP stack drains or closes it).</summary>
    internal void Release()
    {
        if (!AtEof) IsReleased = true;
        End();
    }

    /// <summary>Leaves the deadline to the caller: a redirect response hands it on to the next request of its chain.</summary>
    internal void DetachDeadline() => _deadline = null;

    private void End()
    {
        _deadline?.Dispose();
        _deadline = null;
        _onEnd();
    }
}
