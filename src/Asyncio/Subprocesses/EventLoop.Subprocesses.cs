namespace Asyncio;

/// <summary>
/// The loop's side of subprocesses: starting a child whose pipes and exit its selector watches, and releasing
/// what is left of them when the loop closes (asyncio: <c>loop.subprocess_exec</c> with <c>unix_events</c>' pipe
/// transports and child watcher).
/// </summary>
public sealed partial class EventLoop
{
    /// <summary>Pipe transports and children still open or running, released by <see cref="Close"/>.</summary>
    private readonly HashSet<IClosedWithLoop> _closedWithLoop = [];

    /// <summary>Releases <paramref name="resource"/> in <see cref="Close"/> unless it is <see cref="Disown">disowned</see> first.</summary>
    internal void OwnUntilClose(IClosedWithLoop resource) => _closedWithLoop.Add(resource);

    /// <summary>The resource was released by itself.</summary>
    internal void Disown(IClosedWithLoop resource) => _closedWithLoop.Remove(resource);

    /// <summary>Called by <see cref="Close"/>: kills the children still running and closes the pipes still open.</summary>
    private void CloseSubprocessResources()
    {
        IClosedWithLoop[] resources = [.. _closedWithLoop];
        _closedWithLoop.Clear();
        // Children first: a child killed before its pipes close never sees a broken pipe and never blocks on one.
        foreach (IClosedWithLoop child in resources.OfType<ChildWatcher>()) child.CloseWithLoop();
        foreach (IClosedWithLoop pipe in resources.Where(r => r is not ChildWatcher)) pipe.CloseWithLoop();
    }

    /// <summary>
    /// Starts <paramref name="program"/> and connects its pipes; what <see cref="Aio.CreateSubprocessExec"/> and
    /// <see cref="Aio.CreateSubprocessShell"/> await (asyncio: <c>loop.subprocess_exec</c> with
    /// <c>SubprocessStreamProtocol</c>). Arguments are checked by the caller.
    /// </summary>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors.</exception>
    internal async Coroutine<AsyncProcess> StartSubprocess(string program, IReadOnlyList<string> args, int? stdin, int? stdout,
        int? stderr, string? cwd, IReadOnlyDictionary<string, string>? env, int limit)
    {
        if (!_selector.CanWatchDescriptors)
        {
            throw new NotSupportedException(
                "Subprocesses need the epoll selector: this event loop's selector (a plain wait) cannot watch the child's " +
                "pipes and exit. The epoll selector is the default on Linux (AIO_SELECTOR=epoll).");
        }
        CheckClosed();
        CheckThread();
        SpawnedChild child = ChildSpawner.Spawn(program, args, stdin, stdout, stderr, cwd, env);
        LiveChildProcesses.Add(child.Pid);
        AsyncProcess process;
        try
        {
            process = new AsyncProcess(this, child.Pid);
        }
        catch
        {
            // The exit could not be watched: the child must not run on unwatched.
            LiveChildProcesses.Signal(child.Pid, 9);
            LiveChildProcesses.TryReap(child.Pid, block: true);
            child.Stdin?.Dispose();
            child.Stdout?.Dispose();
            child.Stderr?.Dispose();
            throw;
        }
        await process.ConnectPipes(child, limit);
        return process;
    }
}
