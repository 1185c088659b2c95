using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// References in blocks of at most 1,024 (8 KB each): what grows with the number of tasks (the loop's task list, a
/// task group's children, a gather's children) never becomes one array on the large object heap, where every few
/// megabytes allocated cost a full collection, and growing never copies what is held. The first block starts small
/// and grows as a list's array does, so a handful of tasks costs a handful of slots.
/// </summary>
/// <remarks>Only the loop thread touches it.</remarks>
/// <typeparam name="T">What is held: tasks, or futures.</typeparam>
[DebuggerDisplay("Count = {Count}")]
internal abstract class BlockList<T> where T : class
{
    /// <summary>References per block once the first block has grown.</summary>
    private const int BlockSize = 1024;

    /// <summary>log2 of <see cref="BlockSize"/>.</summary>
    private const int BlockShift = 10;

    /// <summary>The first block's length before it grows.</summary>
    private const int FirstBlockSize = 4;

    /// <summary>
    /// A reference in a struct: storing into an array of structs needs no covariance check, which an
    /// <c>AioTask[]</c> or <c>Future[]</c> store does (the classes are not sealed).
    /// </summary>
    private struct Slot
    {
        public T? Item;
    }

    /// <summary>The blocks; only the first may be shorter than <see cref="BlockSize"/>. Empty until the first item.</summary>
    private Slot[]?[] _blocks = [];

    /// <summary>Number of items held.</summary>
    public int Count { get; protected set; }

    /// <summary>The item at <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    public T this[int index] => SlotAt(index)!;

    /// <summary>The slot at <paramref name="index"/>, whose block exists (index below the count, or of a kept block).</summary>
    protected ref T? SlotAt(int index) => ref _blocks[index >> BlockShift]![index & (BlockSize - 1)].Item;

    /// <summary>Appends <paramref name="item"/> at index <see cref="Count"/>.</summary>
    protected void Append(T item)
    {
        int block = Count >> BlockShift;
        int offset = Count & (BlockSize - 1);
        if (block == _blocks.Length) Array.Resize(ref _blocks, Math.Max(1, _blocks.Length * 2));
        ref Slot[]? slots = ref _blocks[block];
        if (slots is null) slots = new Slot[block == 0 ? FirstBlockSize : BlockSize];
        else if (offset == slots.Length) Array.Resize(ref slots, slots.Length * 2);
        slots[offset].Item = item;
        Count++;
    }

    /// <summary>
    /// Clears the slots from <paramref name="count"/> on, makes it the count, and lets go of the blocks past it
    /// (the first block stays, cleared).
    /// </summary>
    protected void Truncate(int count)
    {
        Debug.Assert(count >= 0 && count <= Count);
        int keptBlocks = Math.Max(1, (count + BlockSize - 1) >> BlockShift);
        int clearEnd = Math.Min(Count, keptBlocks << BlockShift);
        for (int i = count; i < clearEnd; i++) SlotAt(i) = null;
        for (int block = keptBlocks; block < _blocks.Length; block++) _blocks[block] = null;
        Count = count;
    }
}
