namespace Asyncio.Greenlets;

// The hook gevent's layer needs on greenlet's core: which spawned greenlet a task runs.
public sealed partial class Greenlet
{
    /// <summary>On a task's main greenlet: the <see cref="GeventGreenlet"/> the task runs, if <see cref="Gevent.Spawn"/> made it.</summary>
    internal GeventGreenlet? Spawned;

    /// <summary>
    /// The <see cref="GeventGreenlet"/> whose task is running now, or null (no task, or a task no spawn made). Reads
    /// the task's main greenlet only when the task already has greenlets, so it allocates nothing.
    /// </summary>
    internal static GeventGreenlet? CurrentSpawned()
    {
        Greenlet? g = EventLoop.RunningOrNull?.CurrentTask?.CurrentGreenlet;
        while (g?._parent is not null) g = g._parent;
        return g?.Spawned;
    }
}
