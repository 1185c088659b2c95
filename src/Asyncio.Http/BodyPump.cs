using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Asyncio.Http;

/// <summary>
/// Reads a response body ahead of its reader, off the loop thread, from the moment its headers arrive: a
/// thread-pool loop reads the network into pieces and queues at most <see cref="Ahead"/> of them; the loop takes
/// them. While a piece is queued, taking it completes at once, without a trip through the loop's inbox, and the
/// socket reads and their copies run on the other core. This is the buffer aiohttp's protocol fills for the
/// response's <c>StreamReader</c> as data arrives, with its water marks: reading pauses when the queue is full
/// and resumes when the reader has emptied it, so that a reader slower than the network wakes the pump once
/// per <see cref="Ahead"/> pieces, not once per piece.
/// </summary>
/// <remarks>
/// <para>The pump owns its <see cref="ServerWait"/>: the read timer runs only while it waits on the network (not
/// while the queue is full), and the wait's token (the task's cancellation and the total deadline) stops it. A
/// failure is kept and raised to the reader after the pieces read before it. The pump lets go of the message
/// (<see cref="MessageHolds"/>) on its own thread once it no longer touches the stream.</para>
/// <para>A whole-body read switches the pump to <see cref="CollectRest"/>: it reads the rest into one array and
/// the loop resumes once, when it is done.</para>
/// </remarks>
internal sealed class BodyPump
{
    /// <summary>Pieces read and not yet taken, at most: enough to keep the reader busy, small for memory.</summary>
    public const int Ahead = 2;

    /// <summary>Bounds of the size of the pump's reads: a tiny chunk size must not mean tiny socket reads.</summary>
    public const int MinRead = 16 * 1024, MaxRead = 1024 * 1024, DefaultRead = 64 * 1024;

    private readonly Stream _stream;
    private readonly ServerWait _wait;
    private readonly Channel<byte[]> _pieces = Channel.CreateUnbounded<byte[]>(
        new UnboundedChannelOptions { SingleWriter = true });  // (a single-reader one cannot count its items)
    private readonly Task _completion;
    /// <summary>Released by the reader when it empties the queue while the pump waits for that (<see cref="_pumpWaits"/> is 1).</summary>
    private readonly SemaphoreSlim _emptied = new(0);
    private int _pumpWaits;
    private ExceptionDispatchInfo? _error;
    private byte[]? _rest;
    private volatile int _readSize = DefaultRead;
    private volatile bool _collect;
    private volatile bool _stopped;
    private volatile bool _done;
    /// <summary>Bytes still to come by Content-Length (the decoded length: the HTTP stack drops it when it decompresses); -1 when unknown.</summary>
    private long _remaining;

    /// <summary>Starts reading <paramref name="holds"/>' body under <paramref name="wait"/> (which the pump then owns).</summary>
    public BodyPump(MessageHolds holds, ServerWait wait)
    {
        Holds = holds;
        _wait = wait;
        _stream = holds.Message.Content.ReadAsStream();
        _remaining = holds.Message.Content.Headers.ContentLength ?? -1;
        holds.Add();
        // Called on the thread pool (the send's continuation): the reads of what has already arrived (two pieces
        // at most) run before the headers go to the loop; the pump goes on on the thread pool after its first wait.
        _completion = RunAsync();
    }

    /// <summary>The response message, shared with the reader.</summary>
    public MessageHolds Holds { get; }

    /// <summary>The size of the next reads: the reader's chunk size, within <see cref="MinRead"/> and <see cref="MaxRead"/>.</summary>
    public void AskFor(int chunkSize) => _readSize = Math.Clamp(chunkSize, MinRead, MaxRead);

    /// <summary>Takes a queued piece if there is one; taking the last one wakes a pump that waits for room.</summary>
    public bool TryTake(out byte[] piece)
    {
        if (!_pieces.Reader.TryRead(out piece!)) return false;
        if (Volatile.Read(ref _pumpWaits) == 1 && _pieces.Reader.Count == 0 && Interlocked.Exchange(ref _pumpWaits, 0) == 1) _emptied.Release();
        return true;
    }

    /// <summary>
    /// Waits for a piece (true) or the end (false; <see cref="ThrowIfFailed"/> then tells a failure from the end
    /// of the body). Resumes through the caller's synchronization context: on the loop thread.
    /// </summary>
    public async ValueTask<bool> WaitAsync(CancellationToken taskToken)
    {
        try
        {
            return await _pieces.Reader.WaitToReadAsync(taskToken);
        }
        catch (OperationCanceledException) when (taskToken.IsCancellationRequested)
        {
            // The reading task was cancelled (it may not be the one that sent the request): abort the request.
            Stop();
            throw;
        }
    }

    /// <summary>
    /// Switches to reading the rest of the body into one array (<see cref="Rest"/>) instead of queuing pieces.
    /// At most one more piece is queued after this call (the one in flight); the caller takes the queued ones
    /// before and after <see cref="CompletionAsync"/>, then <see cref="Rest"/>.
    /// </summary>
    public void CollectRest() => _collect = true;

    /// <summary>Waits until the pump has stopped; resumes on the loop thread. Cancelling the task aborts the read.</summary>
    public async ValueTask CompletionAsync(CancellationToken taskToken)
    {
        try
        {
            await _completion.WaitAsync(taskToken);
        }
        catch (OperationCanceledException) when (taskToken.IsCancellationRequested)
        {
            Stop();
            throw;
        }
    }

    /// <summary>What <see cref="CollectRest"/> gathered, once the pump has stopped.</summary>
    public byte[] Rest => _rest ?? [];

    /// <summary>Raises the error that ended the pump, if one did (a timeout, a broken connection, a cancellation).</summary>
    public void ThrowIfFailed() => _error?.Throw();

    /// <summary>Stops reading: a read in flight is aborted (the HTTP stack closes the connection). Idempotent.</summary>
    public void Stop()
    {
        _stopped = true;
        if (!_done) _wait.Cancel();
    }

    private async Task RunAsync()
    {
        // Pieces read are held back only while the next read completes at once (the data is already there): the
        // reader is woken once for them, and gets them as soon as a read has to wait on the network.
        var batch = new List<byte[]>(Ahead);
        try
        {
            byte[]? buffer = null;
            while (!_collect)
            {
                // The last read of a body of known length asks for what is left, so that its buffer fills and is
                // handed over as is; what confirms the end (nothing left) needs one byte.
                buffer ??= GC.AllocateUninitializedArray<byte>(_remaining switch { > 0 => (int)Math.Min(_readSize, _remaining), 0 => 1, _ => _readSize });
                _wait.StartReadTimer();
                ValueTask<int> reading = _stream.ReadAsync(buffer, _wait.Token);
                if (!reading.IsCompleted) Queue(batch);
                int read = await reading.ConfigureAwait(false);
                _wait.PauseReadTimer();
                if (read == 0) return;
                if (_remaining > 0) _remaining = Math.Max(0, _remaining - read);
                // A full read hands the buffer itself over; a shorter one a copy of its bytes, keeping the buffer.
                if (read == buffer.Length)
                {
                    batch.Add(buffer);
                    buffer = null;
                }
                else
                {
                    byte[] piece = GC.AllocateUninitializedArray<byte>(read);
                    buffer.AsSpan(0, read).CopyTo(piece);
                    batch.Add(piece);
                }
                if (batch.Count + _pieces.Reader.Count >= Ahead)
                {
                    Queue(batch);
                    if (_pieces.Reader.Count >= Ahead) await WaitUntilEmptiedAsync().ConfigureAwait(false);
                }
            }
            Queue(batch);
            _rest = await ReadAllAsync(_stream, _wait, _remaining >= 0 ? _remaining : null).ConfigureAwait(false);
        }
        catch (OperationCanceledException error) when (!_stopped && _wait.TimeoutFor(error) is { } timeout)
        {
            _error = ExceptionDispatchInfo.Capture(timeout);
        }
        catch (Exception error) when (!_stopped)
        {
            _error = ExceptionDispatchInfo.Capture(error);
        }
        catch
        {
            // Stopped by the response's release: nobody reads on, the error is the abort itself.
        }
        finally
        {
            // What was read before the end or a failure goes to the reader first.
            Queue(batch);
            _done = true;
            _pieces.Writer.TryComplete();
            _wait.Dispose();
            Holds.Drop();
        }
    }

    /// <summary>Queues the pieces held back (the queue is unbounded: the water marks bound it).</summary>
    private void Queue(List<byte[]> batch)
    {
        foreach (byte[] piece in batch) _pieces.Writer.TryWrite(piece);
        batch.Clear();
    }

    /// <summary>
    /// Waits until the reader has taken every queued piece (aiohttp's low-water mark) or switched to
    /// <see cref="CollectRest"/>. The flag is raised before the queue is looked at again, so a reader that empties
    /// it meanwhile either sees the flag (and releases) or leaves the pump to see the empty queue.
    /// </summary>
    private async ValueTask WaitUntilEmptiedAsync()
    {
        Volatile.Write(ref _pumpWaits, 1);
        if (_pieces.Reader.Count == 0 && Interlocked.Exchange(ref _pumpWaits, 0) == 1) return;
        await _emptied.WaitAsync(_wait.Token).ConfigureAwait(false);
    }

    /// <summary>Reads to the end into one array, sized by <paramref name="length"/> when known.</summary>
    private static async Task<byte[]> ReadAllAsync(Stream stream, ServerWait wait, long? length)
    {
        // A body that announced its length fills its array exactly, and a one-byte read confirms the end; without
        // one the array grows.
        byte[] body = GC.AllocateUninitializedArray<byte>(length is >= 0 and <= 0x7FFFFFC7 ? (int)length.Value : 16384);
        byte[] probe = new byte[1];
        int filled = 0;
        while (true)
        {
            bool full = filled == body.Length;
            wait.StartReadTimer();
            int read = await stream.ReadAsync(full ? probe : body.AsMemory(filled), wait.Token).ConfigureAwait(false);
            if (read == 0) break;
            if (full)
            {
                Array.Resize(ref body, (int)Math.Min(Array.MaxLength, Math.Max(16384, 2L * body.Length)));
                body[filled] = probe[0];
            }
            filled += read;
        }
        return filled == body.Length ? body : body[..filled];
    }
}

/// <summary>
/// A response message and its holders (the response's content, and the pump while it runs): the last to let go
/// disposes it, which returns the connection to the pool, or closes it when its body was not read to the end.
/// </summary>
internal sealed class MessageHolds(HttpResponseMessage message)
{
    private int _holds = 1;

    public HttpResponseMessage Message => message;

    public void Add() => Interlocked.Increment(ref _holds);

    public void Drop()
    {
        if (Interlocked.Decrement(ref _holds) == 0) message.Dispose();
    }
}
