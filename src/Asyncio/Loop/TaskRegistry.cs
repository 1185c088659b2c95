using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// The loop's pending tasks, for <see cref="EventLoop.AllTasks"/> and for closing the loop: O(1) add and
/// remove (each task keeps its index; removal moves the last task into the hole).
/// <para>asyncio: <c>_scheduled_tasks</c> (a weak set).</para>
/// </summary>
/// <remarks>
/// Stored in blocks of 1024 references rather than one growing array: 200,000 tasks created at once would
/// otherwise grow the array through the large object heap, and each such allocation brings a full
/// collection closer. Only the loop thread touches this type.
/// </remarks>
[DebuggerDisplay("Count = {Count}")]
internal sealed class TaskRegistry
{
    /// <summary>References per block (8 KB).</summary>
    private const int BlockSize = 1024;

    /// <summary>log2 of <see cref="BlockSize"/>.</summary>
    private const int BlockShift = 10;

    /// <summary>
    /// A reference in a struct: storing into an array of structs needs no covariance check, which an
    /// <c>AioTask[]</c> store does on every add and remove (the class is not sealed).
    /// </summary>
    private struct Slot
    {
        public AioTask Task;
    }

    /// <summary>The blocks; those past the last task are kept for reuse.</summary>
    private Slot[][] _blocks = [new Slot[BlockSize]];

    /// <summary>Number of tasks.</summary>
    public int Count { get; private set; }

    /// <summary>The task at <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    public AioTask this[int index] => _blocks[index >> BlockShift][index & (BlockSize - 1)].Task;

    /// <summary>Adds a task and records its index in it.</summary>
    public void Add(AioTask task)
    {
        int index = Count;
        if (index == Future.MaxRegistryIndex) throw new InvalidOperationException("Too many pending tasks on one loop.");
        int block = index >> BlockShift;
        if (block == _blocks.Length) Array.Resize(ref _blocks, _blocks.Length * 2);
        _blocks[block] ??= new Slot[BlockSize];
        _blocks[block][index & (BlockSize - 1)].Task = task;
        task.RegistryIndex = index;
        Count = index + 1;
    }

    /// <summary>Removes a task (a no-op for one not registered).</summary>
    public void Remove(AioTask task)
    {
        int index = task.RegistryIndex;
        if (index < 0) return;
        Debug.Assert(ReferenceEquals(this[index], task));
        int lastIndex = Count - 1;
        ref AioTask lastSlot = ref _blocks[lastIndex >> BlockShift][lastIndex & (BlockSize - 1)].Task;
        AioTask last = lastSlot;
        lastSlot = null!;
        if (!ReferenceEquals(last, task))
        {
            _blocks[index >> BlockShift][index & (BlockSize - 1)].Task = last;
            last.RegistryIndex = index;
        }
        task.RegistryIndex = -1;
        Count = lastIndex;
    }
}
