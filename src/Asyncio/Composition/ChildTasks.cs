namespace Asyncio;

/// <summary>
/// A task group's children, done ones included until <see cref="RemoveDone"/>: in blocks (see
/// <see cref="BlockList{T}"/>), so that a group of 100,000 children puts no array on the large object heap (a
/// <see cref="List{T}"/> doubling its way there allocated 1.9 MB of it, a full collection every other such group).
/// </summary>
internal sealed class ChildTasks : BlockList<AioTask>
{
    /// <summary>Appends a child.</summary>
    public void Add(AioTask task) => Append(task);

    /// <summary>Drops the children that are done, keeping the others in order, and lets emptied blocks go.</summary>
    public void RemoveDone()
    {
        int kept = 0;
        for (int i = 0; i < Count; i++)
        {
            AioTask task = this[i];
            if (!task.IsDone) SlotAt(kept++) = task;
        }
        Truncate(kept);
    }
}
