using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// The reading half of a stream connection: a buffer that the connection's protocol fills, and reads that wait
/// until the buffer holds what they ask for (a number of bytes, a line, a separator, or everything until EOF).
/// Made by <see cref="Aio.OpenConnection"/> and <see cref="Aio.StartServer"/>; one made directly is fed with
/// <see cref="FeedData"/> and <see cref="FeedEof"/>.
/// <para>asyncio: <c>asyncio.StreamReader</c>.</para>
/// </summary>
/// <remarks>
/// <para>Reads return <c>byte[]</c>, empty at EOF (Python's <c>b""</c>). A read takes its bytes from the buffer
/// only once it has everything it needs, so a read that is cancelled while it waits leaves every byte for the
/// next read.</para>
/// <para>Flow control: when the buffer grows above twice <see cref="Limit"/>, the transport stops reading (the
/// kernel, and then TCP, hold back the peer); once reads bring it down to <see cref="Limit"/> or less, or a
/// read needs more than is buffered, it reads again (asyncio's thresholds).</para>
/// <para>Only one coroutine may wait on a reader at a time: a second one gets
/// <see cref="InvalidOperationException"/> (asyncio's <c>RuntimeError</c>). Every member runs on the loop's thread.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class AsyncStreamReader
{
    /// <summary>asyncio's <c>_DEFAULT_LIMIT</c>: 64 KiB.</summary>
    internal const int DefaultLimit = 64 * 1024;

    /// <summary>The separator of <see cref="ReadLineAsync"/>.</summary>
    private const byte NewLine = (byte)'\n';

    /// <summary>
    /// The bytes received and not yet read. The transports' compacting buffer serves here as well: bytes are
    /// appended at the end and taken from the front in both places.
    /// </summary>
    private WriteBuffer _buffer;

    /// <summary>The transport whose reading is paused and resumed; null for a reader fed by hand.</summary>
    private ITransport? _transport;

    /// <summary>The transport's reading was paused by this reader (asyncio's <c>_paused</c>).</summary>
    private bool _paused;

    /// <summary>The peer sent EOF (or the connection closed): no more bytes will come.</summary>
    private bool _eof;

    /// <summary>What ended the connection, thrown by every read from then on.</summary>
    private Exception? _exception;

    /// <summary>The one read waiting for data; null when none waits (asyncio's <c>_waiter</c>).</summary>
    private Future<bool>? _waiter;

    /// <summary>
    /// Creates a reader that is not connected to anything; feed it with <see cref="FeedData"/> and
    /// <see cref="FeedEof"/>.
    /// <para>asyncio: <c>asyncio.StreamReader(limit=2**16)</c>.</para>
    /// </summary>
    /// <param name="limit">The longest line or separator-terminated chunk a read accepts, and the flow-control unit.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is zero or negative (asyncio's <c>ValueError</c>).</exception>
    public AsyncStreamReader(int limit = DefaultLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Limit = limit;
    }

    /// <summary>
    /// The longest line <see cref="ReadLineAsync"/> and chunk <see cref="ReadUntilAsync"/> accept; the buffer pauses
    /// the transport above twice this size.
    /// <para>asyncio: <c>StreamReader._limit</c> (the <c>limit</c> argument).</para>
    /// </summary>
    public int Limit { get; }

    /// <summary>
    /// True once EOF was received and every byte was read.
    /// <para>asyncio: <c>StreamReader.at_eof()</c>.</para>
    /// </summary>
    public bool AtEof => _eof && _buffer.Count == 0;

    /// <summary>
    /// The exception that ended the connection, or null.
    /// <para>asyncio: <c>StreamReader.exception()</c>.</para>
    /// </summary>
    /// <returns>The exception, or null.</returns>
    public Exception? Exception() => _exception;

    /// <summary>
    /// Makes every read, the waiting one included, throw <paramref name="exception"/>.
    /// <para>asyncio: <c>StreamReader.set_exception(exc)</c>.</para>
    /// </summary>
    /// <param name="exception">The error.</param>
    public void SetException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _exception = exception;
        Future<bool>? waiter = _waiter;
        _waiter = null;
        if (waiter is { IsDone: false }) waiter.SetException(exception);
    }

    /// <summary>
    /// Appends <paramref name="data"/> to the buffer and wakes the waiting read; pauses the transport's reading when
    /// the buffer grows above twice <see cref="Limit"/>.
    /// <para>asyncio: <c>StreamReader.feed_data(data)</c>.</para>
    /// </summary>
    /// <param name="data">The bytes; copied.</param>
    /// <exception cref="InvalidOperationException"><see cref="FeedEof"/> was called (asyncio asserts).</exception>
    public void FeedData(ReadOnlySpan<byte> data)
    {
        if (_eof) throw new InvalidOperationException("FeedData after FeedEof");
        if (data.IsEmpty) return;
        _buffer.Append(data);
        WakeUpWaiter();
        if (_transport is not null && !_paused && _buffer.Count > 2 * Limit)
        {
            _transport.PauseReading();
            _paused = true;
        }
    }

    /// <summary>
    /// Marks the end of the stream and wakes the waiting read.
    /// <para>asyncio: <c>StreamReader.feed_eof()</c>.</para>
    /// </summary>
    public void FeedEof()
    {
        _eof = true;
        WakeUpWaiter();
    }

    /// <summary>
    /// Reads up to <paramref name="n"/> bytes: waits until at least one byte is buffered (or EOF), then takes what
    /// there is, up to <paramref name="n"/>. With -1 (or any negative), reads until EOF and returns everything.
    /// <para>asyncio: <c>await StreamReader.read(n=-1)</c>.</para>
    /// </summary>
    /// <param name="n">The most bytes to read; 0 returns an empty array at once; negative reads until EOF.</param>
    /// <returns>A coroutine giving the bytes; empty at EOF.</returns>
    /// <exception cref="InvalidOperationException">At the await: another coroutine is waiting on this reader.</exception>
    /// <remarks>At the await, the connection's error (<see cref="System.Net.Sockets.SocketException"/> for a reset) is thrown.</remarks>
    public async Coroutine<byte[]> ReadAsync(int n = -1)
    {
        ThrowIfFailed();
        if (n == 0) return [];
        if (n < 0)
        {
            // asyncio reads limit-sized blocks and joins them, which loses the blocks if cancelled midway; waiting
            // for EOF first and then taking everything keeps the bytes in the buffer until the read completes.
            while (!_eof) await WaitForData("ReadAsync");
            return Take(_buffer.Count);
        }
        if (_buffer.Count == 0 && !_eof)
        {
            // WaitForData inline: a read per received chunk is the streams' hot path, and this saves a coroutine.
            Future<bool> waiter = StartWaiting("ReadAsync");
            try
            {
                await waiter;
            }
            finally
            {
                if (_waiter == waiter) _waiter = null;
            }
        }
        return Take(Math.Min(n, _buffer.Count));
    }

    /// <summary>
    /// Reads exactly <paramref name="n"/> bytes.
    /// <para>asyncio: <c>await StreamReader.readexactly(n)</c>.</para>
    /// </summary>
    /// <param name="n">How many bytes; 0 returns an empty array.</param>
    /// <returns>A coroutine giving the <paramref name="n"/> bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">At the await: <paramref name="n"/> is negative (asyncio's <c>ValueError</c>).</exception>
    /// <exception cref="IncompleteReadError">At the await: EOF came first; the bytes before it are in <see cref="IncompleteReadError.Partial"/>.</exception>
    /// <exception cref="InvalidOperationException">At the await: another coroutine is waiting on this reader.</exception>
    public async Coroutine<byte[]> ReadExactlyAsync(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ThrowIfFailed();
        if (n == 0) return [];
        while (_buffer.Count < n)
        {
            if (_eof) throw new IncompleteReadError(Take(_buffer.Count), n);
            await WaitForData("ReadExactlyAsync");
        }
        return Take(n);
    }

    /// <summary>
    /// Reads one line: the bytes up to and including <c>\n</c>. At EOF, the partial last line (without
    /// <c>\n</c>), and then an empty array.
    /// <para>asyncio: <c>await StreamReader.readline()</c>.</para>
    /// </summary>
    /// <returns>A coroutine giving the line.</returns>
    /// <exception cref="InvalidDataException">At the await: the line is longer than <see cref="Limit"/> (asyncio's
    /// <c>ValueError</c>); as in asyncio, the over-long line is dropped from the buffer (up to and including its
    /// <c>\n</c> if that was received, else everything buffered) and the <see cref="LimitOverrunError"/> is the
    /// <see cref="System.Exception.InnerException"/>.</exception>
    /// <exception cref="InvalidOperationException">At the await: another coroutine is waiting on this reader.</exception>
    public async Coroutine<byte[]> ReadLineAsync()
    {
        try
        {
            return await ReadUntilAsync([NewLine]);
        }
        catch (IncompleteReadError error)
        {
            return error.Partial;
        }
        catch (LimitOverrunError error)
        {
            if (_buffer.Pending[error.Consumed..].StartsWith(NewLine)) _buffer.Consume(error.Consumed + 1);
            else _buffer.Clear();
            MaybeResumeTransport();
            throw new InvalidDataException(error.Message, error);
        }
    }

    /// <summary>
    /// Reads up to and including <paramref name="separator"/>, which may arrive split across several receives.
    /// <para>asyncio: <c>await StreamReader.readuntil(separator=b"\n")</c>.</para>
    /// </summary>
    /// <param name="separator">One byte or more.</param>
    /// <returns>A coroutine giving the bytes, ending with the separator.</returns>
    /// <exception cref="ArgumentException">At the await: <paramref name="separator"/> is empty (asyncio's <c>ValueError</c>).</exception>
    /// <exception cref="LimitOverrunError">At the await: no separator within <see cref="Limit"/> bytes, or one found
    /// beyond it. Nothing is consumed.</exception>
    /// <exception cref="IncompleteReadError">At the await: EOF came before a separator; the buffered bytes are in
    /// <see cref="IncompleteReadError.Partial"/> (and no longer in the reader).</exception>
    /// <exception cref="InvalidOperationException">At the await: another coroutine is waiting on this reader.</exception>
    public async Coroutine<byte[]> ReadUntilAsync(byte[] separator)
    {
        ArgumentNullException.ThrowIfNull(separator);
        if (separator.Length == 0) throw new ArgumentException("Separator should be at least one byte", nameof(separator));
        ThrowIfFailed();
        // Where the separator may still begin: the bytes before it were searched, and a separator split across
        // receives can start at most separator.Length - 1 bytes before the end of what was searched.
        int offset = 0;
        int found;
        while (true)
        {
            int count = _buffer.Count;
            if (count - offset >= separator.Length)
            {
                found = _buffer.Pending[offset..].IndexOf(separator);
                if (found >= 0)
                {
                    found += offset;
                    break;
                }
                offset = count + 1 - separator.Length;
                if (offset > Limit) throw new LimitOverrunError("Separator is not found, and chunk exceed the limit", offset);
            }
            if (_eof) throw new IncompleteReadError(Take(_buffer.Count), null);
            await WaitForData("ReadUntilAsync");
        }
        if (found > Limit) throw new LimitOverrunError("Separator is found, but chunk is longer than limit", found);
        return Take(found + separator.Length);
    }

    /// <summary>The reader of a connection: its protocol gives the transport to pause and resume.</summary>
    internal void SetTransport(ITransport transport)
    {
        Debug.Assert(_transport is null, "a reader belongs to one transport");
        _transport = transport;
    }

    /// <summary>The connection went over to TLS: pausing and resuming reading now apply to the TLS transport.</summary>
    internal void ReplaceTransport(ITransport transport) => _transport = transport;

    /// <summary>Reads throw the connection's error once it is set (asyncio checks at the start of each read).</summary>
    private void ThrowIfFailed()
    {
        if (_exception is not null) throw _exception;
    }

    /// <summary>Takes the first <paramref name="count"/> bytes of the buffer, and lets the transport read again if the buffer shrank enough.</summary>
    private byte[] Take(int count)
    {
        byte[] bytes = _buffer.Take(count);
        MaybeResumeTransport();
        return bytes;
    }

    private void MaybeResumeTransport()
    {
        if (_paused && _buffer.Count <= Limit)
        {
            _paused = false;
            _transport!.ResumeReading();
        }
    }

    private void WakeUpWaiter()
    {
        Future<bool>? waiter = _waiter;
        _waiter = null;
        if (waiter is { IsCancelled: false, IsDone: false }) waiter.SetResult(true);
    }

    /// <summary>Waits until data or EOF arrives; where a read suspends (asyncio's <c>_wait_for_data</c>; ReadAsync inlines it).</summary>
    private async Coroutine WaitForData(string caller)
    {
        Future<bool> waiter = StartWaiting(caller);
        try
        {
            await waiter;
        }
        finally
        {
            if (_waiter == waiter) _waiter = null;
        }
    }

    /// <summary>The checks before a read waits, and the future it waits on, made the reader's <see cref="_waiter"/>.</summary>
    private Future<bool> StartWaiting(string caller)
    {
        // asyncio raises RuntimeError here: a second waiter would replace the first, which would then never wake.
        if (_waiter is not null)
            throw new InvalidOperationException($"{caller}() called while another coroutine is already waiting for incoming data");
        Debug.Assert(!_eof, "waiting for data after EOF");
        // The error can arrive after data woke the previous wait and before the read ran again; without this check
        // the read would wait for bytes that can no longer come (asyncio checks only at the start of each read).
        ThrowIfFailed();
        // A read that needs more than the paused buffer holds (ReadExactlyAsync of more than twice the limit)
        // would otherwise wait forever: let the transport read again.
        if (_paused)
        {
            _paused = false;
            _transport!.ResumeReading();
        }
        Future<bool> waiter = Aio.GetRunningLoop().CreateFuture<bool>();
        _waiter = waiter;
        return waiter;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var parts = new List<string> { "AsyncStreamReader" };
        if (_buffer.Count > 0) parts.Add($"{_buffer.Count} bytes");
        if (_eof) parts.Add("eof");
        if (Limit != DefaultLimit) parts.Add($"limit={Limit}");
        if (_waiter is not null) parts.Add("waiter");
        if (_exception is not null) parts.Add($"exception={_exception.GetType().Name}");
        if (_transport is not null) parts.Add("transport");
        if (_paused) parts.Add("paused");
        return $"<{string.Join(' ', parts)}>";
    }
}
