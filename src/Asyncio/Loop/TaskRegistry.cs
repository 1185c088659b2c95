using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// The loop's pending tasks, for <see cref="EventLoop.AllTasks"/> and for closing the loop: O(1) add and
/// remove (each task keeps its index; removal moves the last task into the hole).
/// <para>asyncio: <c>_scheduled_tasks</c> (a weak set).</para>
/// </summary>
/// <remarks>
/// In blocks (see <see cref="BlockList{T}"/>): 200,000 tasks created at once would otherwise grow one array through
/// the large object heap, and each such allocation brings a full collection closer. Blocks emptied by removals
/// stay for the next burst. Only the loop thread touches this type.
/// </remarks>
internal sealed class TaskRegistry : BlockList<AioTask>
{
    /// <summary>Adds a task and records its index in it.</summary>
    public void Add(AioTask task)
    {
        int index = Count;
        if (index == Future.MaxRegistryIndex) throw new InvalidOperationException("Too many pending tasks on one loop.");
        Append(task);
        task.RegistryIndex = index;
    }

    /// <summary>Removes a task (a no-op for one not registered).</summary>
    public void Remove(AioTask task)
    {
        int index = task.RegistryIndex;
        if (index < 0) return;
        Debug.Assert(ReferenceEquals(this[index], task));
        int lastIndex = Count - 1;
        ref AioTask? lastSlot = ref SlotAt(lastIndex);
        AioTask last = lastSlot!;
        lastSlot = null;
        if (!ReferenceEquals(last, task))
        {
            SlotAt(index) = last;
            last.RegistryIndex = index;
        }
        task.RegistryIndex = -1;
        Count = lastIndex;
    }
}
