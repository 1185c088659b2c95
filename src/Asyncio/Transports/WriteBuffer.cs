using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// The bytes a transport could not send yet: appended at the end, consumed from the front, in one array that is
/// compacted before it grows (asyncio: the transport's <c>_buffer</c> deque of chunks).
/// </summary>
/// <remarks>
/// <para>One array keeps the send a single system call over everything pending, where a deque of chunks would
/// need a gather-send or one call per chunk.</para>
/// <para>A struct held in its owner's field (never <c>readonly</c>, never copied): a connection that never buffers,
/// as most do, pays 16 bytes inside its transport and no object of its own.</para>
/// </remarks>
[DebuggerDisplay("Count = {Count}")]
internal struct WriteBuffer
{
    /// <summary>The storage, null while empty; the pending bytes are <c>[_start, _end)</c>.</summary>
    private byte[]? _data;

    /// <summary>Where the pending bytes begin.</summary>
    private int _start;

    /// <summary>Where the pending bytes end.</summary>
    private int _end;

    /// <summary>How many bytes are pending.</summary>
    public int Count => _end - _start;

    /// <summary>The pending bytes, valid until the next change.</summary>
    public ReadOnlySpan<byte> Pending => _data.AsSpan(_start, Count);

    /// <summary>Adds <paramref name="bytes"/> after what is pending.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        if (_data is null || _data.Length - _end < bytes.Length)
        {
            int needed = Count + bytes.Length;
            int capacity = _data?.Length ?? 0;
            // Compacting in place is enough when the consumed front makes the room; otherwise grow by doubling.
            byte[] target = _data is not null && needed <= capacity ? _data : new byte[Math.Max(needed, capacity * 2)];
            if (Count > 0) Buffer.BlockCopy(_data!, _start, target, 0, Count);
            _end = Count;
            _start = 0;
            _data = target;
        }
        bytes.CopyTo(_data.AsSpan(_end));
        _end += bytes.Length;
    }

    /// <summary>
    /// Removes the first <paramref name="count"/> pending bytes and returns them as an array of their own. When they
    /// are the whole storage (bytes appended to an empty buffer and taken at once, as a stream read does) the
    /// storage itself is handed out: no copy, no second array.
    /// </summary>
    public byte[] Take(int count)
    {
        Debug.Assert(count >= 0 && count <= Count, "cannot take more than is pending");
        if (_data is not null && count == _data.Length && _start == 0)
        {
            byte[] whole = _data;
            Clear();
            return whole;
        }
        byte[] bytes = Pending[..count].ToArray();
        Consume(count);
        return bytes;
    }

    /// <summary>Drops the first <paramref name="count"/> pending bytes (they were sent).</summary>
    public void Consume(int count)
    {
        Debug.Assert(count >= 0 && count <= Count, "cannot consume more than is pending");
        _start += count;
        if (_start == _end) Clear();
    }

    /// <summary>Drops everything, and the storage with it: an idle connection should not hold a large array.</summary>
    public void Clear()
    {
        _data = null;
        _start = _end = 0;
    }
}
