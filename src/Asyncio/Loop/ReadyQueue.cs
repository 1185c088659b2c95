using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// One callback waiting in the ready queue: a static invoker and its two arguments, plus the
/// <see cref="ExecutionContext"/> to run it in (null: the callback restores its own, as task steps do).
/// </summary>
/// <remarks>
/// Storing a static invoker with its state, instead of a closure, is what makes <c>CallSoon</c> and a
/// task wake-up allocation-free: the compiler caches a static lambda once per call site.
/// </remarks>
internal struct ReadyItem
{
    /// <summary>The code to run; null marks an entry cancelled through its <see cref="Handle"/>.</summary>
    public Action<object?, object?>? Invoke;

    /// <summary>First argument of <see cref="Invoke"/>, usually the user's delegate or a task.</summary>
    public object? A;

    /// <summary>Second argument of <see cref="Invoke"/>, usually the user's state or a future.</summary>
    public object? B;

    /// <summary>The context captured when the callback was scheduled, or null.</summary>
    public ExecutionContext? Context;
}

/// <summary>
/// The loop's FIFO of ready callbacks: a queue of fixed-size blocks of <see cref="ReadyItem"/> structs.
/// <para>asyncio: <c>BaseEventLoop._ready</c> (a <c>collections.deque</c>, itself a list of blocks).</para>
/// </summary>
/// <remarks>
/// <para>Blocks, not one growing array: a burst (200,000 tasks starting at once) never copies the queue and
/// never allocates a large array. A few drained blocks are kept for reuse, so a steady flow of callbacks
/// allocates nothing; the other drained blocks go to <see cref="ReadyBlockStash"/>, which holds them weakly:
/// the next burst of this loop or of any other takes them back instead of allocating and zeroing new ones
/// (a program spawning burst after burst, or running <c>Aio.Run</c> after <c>Aio.Run</c>), and the next full
/// collection frees those nobody took.</para>
/// <para>The blocks live on the pinned object heap, which the collector never compacts: a burst keeps its
/// blocks alive through the young collections it triggers, and on the ordinary heap each of those collections
/// would copy them (32 bytes per queued callback) only to promote them. Measured on a burst of 200,000 tasks
/// and one of 1,000,000 callbacks, the collections' pause time drops by about half and nearly to zero.</para>
/// <para>Every entry gets a sequence number, implicit in its position: the entry at the head has number
/// <see cref="_headId"/> and the others follow. A <see cref="Handle"/> keeps that number and the
/// <see cref="ReadyHandleBlock"/> of its block, so cancelling a queued callback is O(1) and needs no object
/// per callback, and the queue forgets a cancellation once its position has passed.</para>
/// <para>Only the loop thread touches this type.</para>
/// </remarks>
[DebuggerDisplay("Count = {Count}")]
internal sealed class ReadyQueue
{
    /// <summary>Entries per block: 32 KB blocks stay out of the large object heap.</summary>
    internal const int BlockSize = 1024;

    /// <summary>log2 of <see cref="BlockSize"/>.</summary>
    private const int BlockShift = 10;

    /// <summary>Empty blocks the queue keeps for reuse (512 KB); it stashes the others.</summary>
    private const int MaxSpareBlocks = 16;

    /// <summary>The blocks in use, as a ring; its length is a power of two.</summary>
    private ReadyItem[][] _blocks = new ReadyItem[8][];

    /// <summary>Index in <see cref="_blocks"/> of the block holding the head.</summary>
    private int _headBlock;

    /// <summary>Index of the head entry within its block.</summary>
    private int _headOffset;

    /// <summary>Number of entries in the queue.</summary>
    private int _count;

    /// <summary>Number of blocks in use (from <see cref="_headBlock"/> on).</summary>
    private int _blockCount;

    /// <summary>Empty blocks ready for reuse.</summary>
    private readonly Stack<ReadyItem[]> _spare = new();

    /// <summary>Sequence number of the entry at the head.</summary>
    private long _headId;

    /// <summary>The handle block of each block in use, in the same ring as <see cref="_blocks"/>; null until a handle asks.</summary>
    private ReadyHandleBlock?[] _handleBlocks = new ReadyHandleBlock?[8];

    /// <summary>The handle block of the block released last, which may hold the entry dequeued last.</summary>
    private ReadyHandleBlock? _releasedHandleBlock;

    /// <summary>Number of entries waiting to run.</summary>
    public int Count => _count;

    /// <summary>Sequence number of the entry <see cref="Dequeue"/> returned last.</summary>
    public long LastDequeuedId => _headId - 1;

    /// <summary>Appends an entry and returns its sequence number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Enqueue(Action<object?, object?> invoke, object? a, object? b, ExecutionContext? context)
    {
        int position = _headOffset + _count;
        if ((position >> BlockShift) == _blockCount) AddBlock();
        ref ReadyItem slot = ref _blocks[(_headBlock + (position >> BlockShift)) & (_blocks.Length - 1)][position & (BlockSize - 1)];
        slot.Invoke = invoke;
        slot.A = a;
        // Stored even when null: skipping null stores (to save their write barriers) measured slower in W3's
        // one million CallSoon, the branches cost more than the barriers.
        slot.B = b;
        slot.Context = context;
        long id = _headId + _count++;
        AssertInvariants();
        return id;
    }

    /// <summary>Removes the oldest entry; the caller has checked <see cref="Count"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadyItem Dequeue()
    {
        Debug.Assert(_count > 0);
        ref ReadyItem slot = ref _blocks[_headBlock][_headOffset];
        ReadyItem item = slot;
        slot = default; // let the GC have what the callback referenced
        _count--;
        _headId++;
        if (++_headOffset == BlockSize) ReleaseHeadBlock();
        AssertInvariants();
        return item;
    }

    /// <summary>Marks a still-queued entry so it is skipped; false when it already left the queue.</summary>
    public bool TryCancel(long id)
    {
        if (!TryLocate(id, out ReadyItem[] block, out int index)) return false;
        block[index].Invoke = null;
        return true;
    }

    /// <summary>
    /// The handle block of a queued entry or of the entry dequeued last (the callback running), made on first
    /// request. The queue keeps it only while its positions are in the queue; handles keep it after that.
    /// </summary>
    public ReadyHandleBlock HandleBlockOf(long id)
    {
        Debug.Assert(id >= LastDequeuedId && id < _headId + _count);
        long firstId = id & ~(long)(BlockSize - 1);
        // Sequence numbers and offsets advance together from zero, so a block holds the ids of one aligned range.
        Debug.Assert((_headId & (BlockSize - 1)) == _headOffset);
        int position = _headOffset + (int)(id - _headId);
        if (position < 0)
        {
            // The entry dequeued last emptied the head block, which was released.
            if (_releasedHandleBlock?.FirstId != firstId) _releasedHandleBlock = new ReadyHandleBlock(this, firstId);
            return _releasedHandleBlock;
        }
        ref ReadyHandleBlock? slot = ref _handleBlocks[(_headBlock + (position >> BlockShift)) & (_handleBlocks.Length - 1)];
        Debug.Assert(slot is null || slot.FirstId == firstId);
        return slot ??= new ReadyHandleBlock(this, firstId);
    }

    /// <summary>
    /// Checks the ring's shape (debug builds): the entries fit in the blocks in use, the head is inside its block,
    /// the ring's length is a power of two, and the blocks in use are present.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_count >= 0 && _blockCount >= 0 && _blockCount <= _blocks.Length);
        Debug.Assert((_blocks.Length & (_blocks.Length - 1)) == 0, "the ring's length is a power of two");
        Debug.Assert(_headOffset >= 0 && _headOffset < BlockSize);
        Debug.Assert(_headOffset + _count <= _blockCount * BlockSize, "every entry lies in a block in use");
        Debug.Assert(_blockCount == 0 || _blocks[_headBlock] is not null);
        Debug.Assert(_blockCount == 0 || _blocks[(_headBlock + _blockCount - 1) & (_blocks.Length - 1)] is not null);
        Debug.Assert(_spare.Count <= MaxSpareBlocks);
    }

    private bool TryLocate(long id, out ReadyItem[] block, out int index)
    {
        long offset = id - _headId;
        if (offset < 0 || offset >= _count)
        {
            block = null!;
            index = 0;
            return false;
        }
        int position = _headOffset + (int)offset;
        block = _blocks[(_headBlock + (position >> BlockShift)) & (_blocks.Length - 1)];
        index = position & (BlockSize - 1);
        return true;
    }

    private void AddBlock()
    {
        if (_blockCount == _blocks.Length)
        {
            var blocks = new ReadyItem[_blocks.Length * 2][];
            var handleBlocks = new ReadyHandleBlock?[blocks.Length];
            for (int i = 0; i < _blockCount; i++)
            {
                blocks[i] = _blocks[(_headBlock + i) & (_blocks.Length - 1)];
                handleBlocks[i] = _handleBlocks[(_headBlock + i) & (_blocks.Length - 1)];
            }
            _blocks = blocks;
            _handleBlocks = handleBlocks;
            _headBlock = 0;
        }
        _blocks[(_headBlock + _blockCount) & (_blocks.Length - 1)] = _spare.Count > 0 ? _spare.Pop()
            : ReadyBlockStash.TryTake() ?? GC.AllocateArray<ReadyItem>(BlockSize, pinned: true);
        _blockCount++;
    }

    /// <summary>Hands every kept empty block to <see cref="ReadyBlockStash"/> (the loop is closing).</summary>
    public void ReleaseSpareBlocks()
    {
        while (_spare.Count > 0) ReadyBlockStash.Give(_spare.Pop());
    }

    /// <summary>The head block is drained: keep it for reuse, or stash it once enough are kept.</summary>
    private void ReleaseHeadBlock()
    {
        ReadyItem[] block = _blocks[_headBlock];
        _blocks[_headBlock] = null!;
        _releasedHandleBlock = _handleBlocks[_headBlock];
        _handleBlocks[_headBlock] = null;
        if (_spare.Count < MaxSpareBlocks) _spare.Push(block);
        else ReadyBlockStash.Give(block);
        _headBlock = (_headBlock + 1) & (_blocks.Length - 1);
        _headOffset = 0;
        _blockCount--;
    }
}

/// <summary>
/// Empty ready-queue blocks that no loop keeps, shared by the process's loops and held weakly: a loop that needs
/// a block takes one from here before allocating, and the next full collection frees those that nobody took
/// (the blocks live on the pinned object heap, which only full collections sweep, so young collections do not
/// take them away between two bursts).
/// </summary>
/// <remarks>
/// Loops on any thread: guarded by a lock, taken once per block (1,024 callbacks). The weak references are
/// reused, so a steady give-and-take allocates nothing; their number is the most blocks ever stashed at once.
/// </remarks>
internal static class ReadyBlockStash
{
    private static readonly Lock s_lock = new();

    /// <summary>Weak references; those below <see cref="s_count"/> were given a block (alive or collected since).</summary>
    private static WeakReference<ReadyItem[]?>[] s_slots = [];

    /// <summary>Slots in use.</summary>
    private static int s_count;

    /// <summary>Stashes an empty block.</summary>
    public static void Give(ReadyItem[] block)
    {
        lock (s_lock)
        {
            if (s_count == s_slots.Length) Array.Resize(ref s_slots, Math.Max(16, s_slots.Length * 2));
            ref WeakReference<ReadyItem[]?> slot = ref s_slots[s_count++];
            if (slot is null) slot = new WeakReference<ReadyItem[]?>(block);
            else slot.SetTarget(block);
        }
    }

    /// <summary>A stashed block that is still alive, or null when there is none.</summary>
    public static ReadyItem[]? TryTake()
    {
        lock (s_lock)
        {
            while (s_count > 0)
            {
                WeakReference<ReadyItem[]?> slot = s_slots[--s_count];
                if (slot.TryGetTarget(out ReadyItem[]? block) && block is not null)
                {
                    slot.SetTarget(null);
                    return block;
                }
            }
            return null;
        }
    }
}

/// <summary>
/// The cancellations of the <see cref="Handle"/>s of one block of ready-queue positions (1024 consecutive
/// sequence numbers): what lets <see cref="Handle.IsCancelled"/> stay true after the callback's position has
/// passed, as asyncio's <c>Handle.cancelled()</c> does, without the loop keeping anything per cancelled handle.
/// </summary>
/// <remarks>
/// Made when a handle of the block is first needed; the queue refers to it only while the block is in use,
/// and the handles keep it alive after that: it goes when they go. Loop thread only, like the queue.
/// </remarks>
[DebuggerDisplay("FirstId = {FirstId}")]
internal sealed class ReadyHandleBlock
{
    /// <summary>The queue whose positions these are, to skip a cancelled entry still queued.</summary>
    private readonly ReadyQueue _queue;

    /// <summary>One bit per position, set by <see cref="Cancel"/>; made at the first cancellation.</summary>
    private ulong[]? _cancelled;

    public ReadyHandleBlock(ReadyQueue queue, long firstId)
    {
        _queue = queue;
        FirstId = firstId;
    }

    /// <summary>The sequence number of the block's first position.</summary>
    public long FirstId { get; }

    /// <summary>Remembers the cancellation and skips the entry if it is still queued (asyncio: <c>Handle.cancel()</c>).</summary>
    public void Cancel(long id)
    {
        int index = IndexOf(id);
        (_cancelled ??= new ulong[ReadyQueue.BlockSize / 64])[index >> 6] |= 1UL << index;
        _queue.TryCancel(id);
    }

    /// <summary>True once <see cref="Cancel"/> was called for <paramref name="id"/>.</summary>
    public bool IsCancelled(long id)
    {
        int index = IndexOf(id);
        return _cancelled is not null && (_cancelled[index >> 6] & (1UL << index)) != 0;
    }

    private int IndexOf(long id)
    {
        long index = id - FirstId;
        Debug.Assert(index >= 0 && index < ReadyQueue.BlockSize);
        return (int)index;
    }
}
