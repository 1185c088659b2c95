using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Asyncio.Http;

/// <summary>
/// Reads a response body ahead of its reader, off the loop thread: a thread-pool loop reads the network into
/// pieces and queues at most <see cref="Ahead"/> of them; the loop takes them. While a piece is queued, taking
/// it completes at once, without a trip through the loop's inbox, and the socket reads and their copies run on
/// the other core. This is the buffer aiohttp's <c>StreamReader</c> keeps for its protocol, bounded the same way
/// (reading stops while it is full).
/// </summary>
/// <remarks>
/// The pump owns its <see cref="ServerWait"/>: the read timer runs only while it waits on the network (not while
/// the queue is full), and the wait's token (the task's cancellation and the total deadline) stops it. It reports
/// its end through <c>onStopped</c>, on its own thread, once it no longer touches the stream.
/// </remarks>
internal sealed class BodyPump
{
    /// <summary>Pieces read and not yet taken, at most: enough to keep the reader busy, small for memory.</summary>
    public const int Ahead = 2;

    private readonly Stream _stream;
    private readonly ServerWait _wait;
    private readonly int _readSize;
    private readonly Channel<byte[]> _pieces = Channel.CreateBounded<byte[]>(
        new BoundedChannelOptions(Ahead) { SingleReader = true, SingleWriter = true });
    private readonly Action _onStopped;
    private ExceptionDispatchInfo? _error;
    private volatile bool _stopped;

    /// <summary>Bytes still to come by Content-Length (decoded length: the HTTP stack drops it when it decompresses); -1 when unknown.</summary>
    private long _remaining;

    public BodyPump(Stream stream, ServerWait wait, int readSize, long? length, Action onStopped)
    {
        _remaining = length ?? -1;
        _stream = stream;
        _wait = wait;
        _readSize = readSize;
        _onStopped = onStopped;
        // Task.Run: the first reads often complete synchronously, and must not run on the loop thread.
        _ = Task.Run(RunAsync);
    }

    /// <summary>Takes a queued piece if there is one.</summary>
    public bool TryTake(out byte[] piece) => _pieces.Reader.TryRead(out piece!);

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
            // The reading task was cancelled (it may not be the one that started the pump): abort the request.
            Stop();
            throw;
        }
    }

    /// <summary>Raises the error that ended the pump, if one did (a timeout, a broken connection, a cancellation).</summary>
    public void ThrowIfFailed() => _error?.Throw();

    /// <summary>Stops reading: a read in flight is aborted (the HTTP stack closes the connection). Idempotent.</summary>
    public void Stop()
    {
        _stopped = true;
        _wait.Cancel();
    }

    private async Task RunAsync()
    {
        try
        {
            byte[]? buffer = null;
            while (true)
            {
                // The last read of a body of known length asks for what is left: its buffer is then filled, handed over as is.
                // What confirms the end (nothing left) needs one byte.
                buffer ??= GC.AllocateUninitializedArray<byte>(_remaining switch { > 0 => (int)Math.Min(_readSize, _remaining), 0 => 1, _ => _readSize });
                _wait.StartReadTimer();
                int read = await _stream.ReadAsync(buffer, _wait.Token).ConfigureAwait(false);
                _wait.PauseReadTimer();
                if (read == 0) break;
                if (_remaining > 0) _remaining = Math.Max(0, _remaining - read);
                // A full read hands the buffer itself over; a shorter one a copy of its bytes, keeping the buffer.
                byte[] piece;
                if (read == buffer.Length)
                {
                    piece = buffer;
                    buffer = null;
                }
                else
                {
                    piece = GC.AllocateUninitializedArray<byte>(read);
                    buffer.AsSpan(0, read).CopyTo(piece);
                }
                await _pieces.Writer.WriteAsync(piece, _wait.Token).ConfigureAwait(false);
            }
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
            _pieces.Writer.TryComplete();
            _wait.Dispose();
            _onStopped();
        }
    }

    /// <summary>
    /// Reads a whole body on the thread pool, into one array sized by <paramref name="length"/> when known. Used
    /// when nothing of the body was read yet: the loop then resumes once, with the bytes. Owns
    /// <paramref name="wait"/> and reports its end through <paramref name="onStopped"/>, as a pump does.
    /// </summary>
    public static Task<byte[]> ReadWholeAsync(Stream stream, ServerWait wait, long? length, Action onStopped) =>
        Task.Run(async () =>
        {
            try
            {
                return await ReadAllAsync(stream, wait, length).ConfigureAwait(false);
            }
            catch (OperationCanceledException error) when (wait.TimeoutFor(error) is { } timeout)
            {
                throw timeout;
            }
            finally
            {
                wait.Dispose();
                onStopped();
            }
        });

    private static async Task<byte[]> ReadAllAsync(Stream stream, ServerWait wait, long? length)
    {
        // Content-Length is the decoded length here (the HTTP stack drops it when it decompresses), so a body that
        // announced one fills its array exactly, and a one-byte read confirms the end. Without one the array grows.
        byte[] body = GC.AllocateUninitializedArray<byte>(length is > 0 and <= int.MaxValue - 64 ? (int)Math.Min(length.Value, Array.MaxLength) : 16384);
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
                Array.Resize(ref body, (int)Math.Min(Array.MaxLength, 2L * body.Length));
                body[filled] = probe[0];
            }
            filled += read;
        }
        return filled == body.Length ? body : body[..filled];
    }
}
