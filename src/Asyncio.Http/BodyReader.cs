using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;

namespace Asyncio.Http;

/// <summary>
/// Reads a response body from the HTTP stack's content stream, on the loop thread. The connection under it is a
/// <see cref="LoopSocketStream"/>, so a read whose bytes have arrived completes at once (the kernel's socket buffer
/// is the read-ahead, as it is for aiohttp's protocol), and one that waits is completed by the loop's selector.
/// </summary>
/// <remarks>
/// <para>Each read that has to wait runs under the response's <see cref="ServerWait"/> (the total deadline and the
/// <see cref="ClientTimeout.SockRead"/> timer, started only then) and the reading task's cancellation, which
/// aborts it and closes the connection. A failure is kept: every later read raises it again.</para>
/// <para>The message is disposed at the end of the body (the connection goes back to the pool) or by
/// <see cref="Stop"/> (before the end: the connection is closed).</para>
/// </remarks>
internal sealed class BodyReader
{
    /// <summary>Bounds of the size of the reads: a tiny chunk size must not mean tiny socket reads.</summary>
    public const int MinRead = 16 * 1024, MaxRead = 1024 * 1024, DefaultRead = 64 * 1024;

    private readonly Stream _stream;
    /// <summary>The decoding stream over the body as sent, when the body is decoded.</summary>
    private readonly Stream? _decoder;
    private readonly ServerWait _wait;
    private readonly EventLoop _loop;
    /// <summary>A buffer a short read left behind (its bytes were copied out), for the next read.</summary>
    private byte[]? _spare;
    private ExceptionDispatchInfo? _error;
    private bool _stopped;
    private bool _finished;
    /// <summary>Bytes still to come by Content-Length (of the bytes read: a decoded body has none, see <see cref="Decoder"/>); -1 when unknown.</summary>
    private long _remaining;

    /// <param name="message">The response, its headers read.</param>
    /// <param name="wait">The timers and cancellation the reads that wait run under.</param>
    /// <param name="loop">The loop the reads run on.</param>
    /// <param name="decode">Decode a body sent gzip-, deflate- or brotli-encoded (aiohttp's <c>auto_decompress</c>).</param>
    public BodyReader(HttpResponseMessage message, ServerWait wait, EventLoop loop, bool decode)
    {
        Message = message;
        _wait = wait;
        _loop = loop;
        Stream sent = message.Content.ReadAsStream();
        _decoder = decode ? Decoder(message, sent) : null;
        _stream = _decoder ?? sent;
        _remaining = message.Content.Headers.ContentLength ?? -1;
    }

    /// <summary>
    /// What the request sends as <c>Accept-Encoding</c> when the body will be decoded: the codings
    /// <see cref="Decoder"/> reads (aiohttp sends <c>gzip, deflate</c>, and <c>br</c> when brotli is installed).
    /// </summary>
    public const string AcceptedEncodings = "gzip, deflate, br";

    /// <summary>
    /// A stream that decodes the body as its <c>Content-Encoding</c> says, or null for a body to read as sent (none,
    /// <c>identity</c>, a coding not known here, several codings, or no body at all). Decoding removes
    /// <c>Content-Encoding</c> and <c>Content-Length</c> from the headers: they describe the bytes sent, not those
    /// read (as .NET's automatic decompression does).
    /// </summary>
    /// <remarks>
    /// The session decodes here rather than through <see cref="SocketsHttpHandler.AutomaticDecompression"/>: that
    /// handler is one more asynchronous layer and parses and enumerates the request's <c>Accept-Encoding</c> on every
    /// request, compressed or not.
    /// </remarks>
    private static Stream? Decoder(HttpResponseMessage message, Stream sent)
    {
        HttpContentHeaders headers = message.Content.Headers;
        if (!headers.NonValidated.TryGetValues("Content-Encoding", out HeaderStringValues codings) || codings.Count != 1) return null;
        if (headers.ContentLength == 0 || message.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotModified
            || message.RequestMessage?.Method == HttpMethod.Head)
        {
            return null;
        }
        Stream? decoder = codings.ToString().Trim().ToLowerInvariant() switch
        {
            "gzip" or "x-gzip" => new GZipStream(sent, CompressionMode.Decompress),
            "deflate" => new DeflateBody(sent),
            "br" => new BrotliStream(sent, CompressionMode.Decompress),
            _ => null,
        };
        if (decoder is null) return null;
        headers.Remove("Content-Encoding");
        headers.ContentLength = null;
        return decoder;
    }

    /// <summary>The response message.</summary>
    public HttpResponseMessage Message { get; }

    /// <summary>
    /// The next piece of the body, of about <paramref name="size"/> bytes (within <see cref="MinRead"/> and
    /// <see cref="MaxRead"/>; a body of known length is read in pieces that fill their arrays exactly); an empty
    /// array at the end.
    /// </summary>
    public async ValueTask<byte[]> ReadPieceAsync(int size)
    {
        int want = Math.Clamp(size, MinRead, MaxRead);
        // What confirms the end of a body of known length (nothing left) needs one byte.
        want = _remaining switch { > 0 => (int)Math.Min(want, _remaining), 0 => 1, _ => want };
        byte[] buffer = _spare is { } spare && spare.Length == want ? spare : GC.AllocateUninitializedArray<byte>(want);
        _spare = null;
        int read = await ReadAsync(buffer);
        if (read == 0) return [];
        if (_remaining > 0) _remaining = Math.Max(0, _remaining - read);
        // A full read hands the buffer itself over; a shorter one a copy of its bytes, keeping the buffer.
        if (read == buffer.Length) return buffer;
        _spare = buffer;
        return buffer.AsSpan(0, read).ToArray();
    }

    /// <summary>Reads up to <paramref name="into"/>'s length; 0 at the end.</summary>
    public async ValueTask<int> ReadIntoAsync(Memory<byte> into)
    {
        int read = await ReadAsync(into);
        if (_remaining > 0) _remaining = Math.Max(0, _remaining - read);
        return read;
    }

    /// <summary>The rest of the body in one array, sized by Content-Length when there is one.</summary>
    public async ValueTask<byte[]> ReadRestAsync()
    {
        long? length = _remaining >= 0 ? _remaining : null;
        byte[] body = GC.AllocateUninitializedArray<byte>(length is >= 0 and <= 0x7FFFFFC7 ? (int)length.Value : 16384);
        byte[]? probe = null;
        int filled = 0;
        while (true)
        {
            bool full = filled == body.Length;
            int read = await ReadAsync(full ? (probe ??= new byte[1]) : body.AsMemory(filled));
            if (read == 0) break;
            if (full)
            {
                Array.Resize(ref body, (int)Math.Min(Array.MaxLength, Math.Max(16384, 2L * body.Length)));
                body[filled] = probe![0];
            }
            filled += read;
        }
        _remaining = 0;
        return filled == body.Length ? body : body[..filled];
    }

    /// <summary>One read of the content stream: at once when the bytes are there, else under the timers and the task's cancellation.</summary>
    private async ValueTask<int> ReadAsync(Memory<byte> into)
    {
        _error?.Throw();
        ValueTask<int> reading;
        try
        {
            reading = _stream.ReadAsync(into, _wait.Token);
            if (reading.IsCompleted) return reading.Result;
        }
        catch (Exception error)
        {
            throw Failed(error);
        }
        _wait.StartReadTimer();
        CancellationToken task = TaskToken.Current();
        // The task's cancellation stops the read, on the loop and after the cancelling call has returned.
        using CancellationTokenRegistration cancelled = task.CanBeCanceled
            ? task.UnsafeRegister(static state => { var self = (BodyReader)state!; self._loop.CallSoon(self.Stop); }, this)
            : default;
        try
        {
            return await reading;
        }
        catch (Exception error) when (task.IsCancellationRequested)
        {
            // Counted as the task's cancellation (the task may be awaiting this read through an async iterator).
            Stop();
            throw new OperationCanceledException("The reading task was cancelled.", error, task);
        }
        catch (Exception error)
        {
            throw Failed(error);
        }
        finally
        {
            _wait.PauseReadTimer();
        }
    }

    /// <summary>Keeps a read's failure (as the error aiohttp raises) and lets the connection go.</summary>
    private Exception Failed(Exception error)
    {
        Exception raised = error is OperationCanceledException canceled && _wait.TimeoutFor(canceled) is { } timeout ? timeout : error;
        if (!_stopped) _error = ExceptionDispatchInfo.Capture(raised);
        Stop();
        return raised;
    }

    /// <summary>The end of the body was read: the connection goes back to the pool.</summary>
    public void Finish()
    {
        if (_finished) return;
        _finished = true;
        _wait.Dispose();
        // A decoder frees its native state when disposed; one stopped mid-read is left to its finalizer, so that
        // the read in flight never meets a disposed decoder (it meets the aborted connection instead).
        if (!_stopped) _decoder?.Dispose();
        Message.Dispose();
    }

    /// <summary>Stops reading before the end: a read in flight is aborted and the connection closed. Idempotent.</summary>
    public void Stop()
    {
        if (_stopped) return;
        _stopped = true;
        _wait.Cancel();
        Finish();
    }
}
