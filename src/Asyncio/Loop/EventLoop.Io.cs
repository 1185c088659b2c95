using System.Diagnostics;
using System.Net.Sockets;

namespace Asyncio;

/// <summary>
/// Readers and writers: callbacks the loop runs while a file descriptor is readable or writable, watched by the
/// loop's selector and dispatched in the loop's iteration right after its wait, before due timers, two per
/// iteration when the selector finds more ready (asyncio: <c>add_reader</c> / <c>add_writer</c> of
/// <c>selector_events.BaseSelectorEventLoop</c>, which dispatches all of them at once).
/// </summary>
public sealed partial class EventLoop
{
    /// <summary>Registered descriptors and their callbacks (asyncio: the selector's keys).</summary>
    private readonly Dictionary<int, FdWatch> _watches = new();

    /// <summary>
    /// Socket operations (<c>Sock*Async</c>) waiting for readiness: each holds a virtual clock for a short grace,
    /// where a reader or writer registered by itself holds nothing (see <see cref="WaitVirtual"/>).
    /// </summary>
    private int _socketWaits;

    /// <summary>A loop with a chosen selector (tests run the same behaviours on each).</summary>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="selector">The selector to wait in.</param>
    internal EventLoop(TimeProvider timeProvider, SelectorKind selector) : this(timeProvider)
    {
        if (selector == DefaultSelector.Kind) return;
        _selector.Dispose();
        _selector = DefaultSelector.Create(selector);
    }

    /// <summary>
    /// Calls <paramref name="callback"/> on the loop each iteration while <paramref name="fd"/> is readable, until
    /// <see cref="RemoveReader(int)"/>. Replaces the descriptor's reader if it has one (the old one never runs again).
    /// <para>asyncio: <c>loop.add_reader(fd, callback)</c>.</para>
    /// </summary>
    /// <param name="fd">A descriptor the kernel can watch (a socket, pipe, eventfd; not a regular file).</param>
    /// <param name="callback">Runs in the <see cref="ExecutionContext"/> current now; exceptions go to the loop's exception handler.</param>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors (the plain wait), or not this one: the portable selector watches sockets only, given by the <see cref="Socket"/> overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fd"/> is negative.</exception>
    /// <exception cref="IOException">The kernel refused the descriptor (closed, or a regular file).</exception>
    /// <exception cref="InvalidOperationException">The loop is closed.</exception>
    public void AddReader(int fd, Action callback) => AddCallback(fd, IoEvents.Read, UserCallback(callback));

    /// <inheritdoc cref="AddReader(int, Action)"/>
    /// <param name="socket">A socket; its descriptor is watched.</param>
    /// <param name="callback">Runs in the <see cref="ExecutionContext"/> current now; exceptions go to the loop's exception handler.</param>
    public void AddReader(Socket socket, Action callback) => AddCallback(DescriptorOf(socket), IoEvents.Read, UserCallback(callback), socket);

    /// <summary>
    /// Calls <paramref name="callback"/> on the loop each iteration while <paramref name="fd"/> is writable, until
    /// <see cref="RemoveWriter(int)"/>. Replaces the descriptor's writer if it has one.
    /// <para>asyncio: <c>loop.add_writer(fd, callback)</c>.</para>
    /// </summary>
    /// <param name="fd">A descriptor the kernel can watch.</param>
    /// <param name="callback">Runs in the <see cref="ExecutionContext"/> current now; exceptions go to the loop's exception handler.</param>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors (the plain wait), or not this one: the portable selector watches sockets only, given by the <see cref="Socket"/> overload.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fd"/> is negative.</exception>
    /// <exception cref="IOException">The kernel refused the descriptor (closed, or a regular file).</exception>
    /// <exception cref="InvalidOperationException">The loop is closed.</exception>
    public void AddWriter(int fd, Action callback) => AddCallback(fd, IoEvents.Write, UserCallback(callback));

    /// <inheritdoc cref="AddWriter(int, Action)"/>
    /// <param name="socket">A socket; its descriptor is watched.</param>
    /// <param name="callback">Runs in the <see cref="ExecutionContext"/> current now; exceptions go to the loop's exception handler.</param>
    public void AddWriter(Socket socket, Action callback) => AddCallback(DescriptorOf(socket), IoEvents.Write, UserCallback(callback), socket);

    /// <summary>
    /// Stops watching <paramref name="fd"/> for reading; a call already queued for this iteration does not run.
    /// <para>asyncio: <c>loop.remove_reader(fd)</c>.</para>
    /// </summary>
    /// <param name="fd">The descriptor.</param>
    /// <returns>True if a reader was registered; false otherwise, and always once the loop is closed.</returns>
    public bool RemoveReader(int fd) => RemoveCallback(fd, IoEvents.Read, only: null);

    /// <inheritdoc cref="RemoveReader(int)"/>
    /// <param name="socket">The socket.</param>
    public bool RemoveReader(Socket socket) => RemoveReader(DescriptorOf(socket));

    /// <summary>
    /// Stops watching <paramref name="fd"/> for writing; a call already queued for this iteration does not run.
    /// <para>asyncio: <c>loop.remove_writer(fd)</c>.</para>
    /// </summary>
    /// <param name="fd">The descriptor.</param>
    /// <returns>True if a writer was registered; false otherwise, and always once the loop is closed.</returns>
    public bool RemoveWriter(int fd) => RemoveCallback(fd, IoEvents.Write, only: null);

    /// <inheritdoc cref="RemoveWriter(int)"/>
    /// <param name="socket">The socket.</param>
    public bool RemoveWriter(Socket socket) => RemoveWriter(DescriptorOf(socket));

    /// <summary>
    /// <see cref="AddReader(Socket, Action)"/> for the loop's own transports: a static invoker and its state instead of
    /// a delegate bound to the transport (one object fewer per connection, which matters to thousands of idle ones).
    /// </summary>
    internal void AddReader(Socket socket, Action<object?, object?> invoke, object state) =>
        AddCallback(DescriptorOf(socket), IoEvents.Read, CapturingCallback(invoke, state), socket);

    /// <inheritdoc cref="AddReader(Socket, Action{object?, object?}, object)"/>
    internal void AddReader(int fd, Action<object?, object?> invoke, object state) =>
        AddCallback(fd, IoEvents.Read, CapturingCallback(invoke, state));

    private static IoCallback UserCallback(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return CapturingCallback(s_invokeAction, callback);
    }

    /// <summary>A reader or writer that runs in the <see cref="ExecutionContext"/> of the code registering it, as asyncio's handles do.</summary>
    private static IoCallback CapturingCallback(Action<object?, object?> invoke, object state) =>
        new(invoke, state, null, ExecutionContext.Capture());

    private static int DescriptorOf(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return (int)socket.Handle;
    }

    /// <summary>Throws unless this loop's selector can watch descriptors.</summary>
    private void CheckCanWatch()
    {
        // The selector's own refusal carries the explanation.
        if (!_selector.CanWatchDescriptors) _selector.Watch(-1, IoEvents.None, IoEvents.Read);
    }

    /// <summary>
    /// Registers <paramref name="callback"/> for one direction of <paramref name="fd"/>, cancelling the one it
    /// replaces; <paramref name="socket"/>, when the descriptor is known to be one, is what a selector that waits
    /// on sockets needs.
    /// </summary>
    private void AddCallback(int fd, IoEvents direction, IoCallback callback, Socket? socket = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        CheckClosed();
        CheckThread();
        CheckCanWatch();
        _watches.TryGetValue(fd, out FdWatch watch);
        IoEvents previous = watch.Events;
        IoCallback? replaced = direction == IoEvents.Read ? watch.Reader : watch.Writer;
        SetCallback(ref watch, direction, callback);
        // The map changes only once the selector has accepted the new set of directions.
        if (socket is null) _selector.Watch(fd, previous, watch.Events);
        else _selector.WatchSocket(socket, fd, previous, watch.Events);
        _watches[fd] = watch;
        if (replaced is not null) replaced.IsCancelled = true;
        AssertWatched(fd);
    }

    /// <summary>
    /// Unregisters one direction of <paramref name="fd"/>; with <paramref name="only"/>, only if that is still
    /// the registered callback (asyncio's <c>_sock_read_done</c>: a waiter whose reader was replaced leaves it).
    /// </summary>
    private bool RemoveCallback(int fd, IoEvents direction, IoCallback? only)
    {
        if (_closed) return false;
        CheckThread();
        if (!_watches.TryGetValue(fd, out FdWatch watch)) return false;
        IoCallback? current = direction == IoEvents.Read ? watch.Reader : watch.Writer;
        if (current is null || (only is not null && current != only)) return false;
        IoEvents previous = watch.Events;
        SetCallback(ref watch, direction, null);
        current.IsCancelled = true;
        if (watch.Events == IoEvents.None) _watches.Remove(fd);
        else _watches[fd] = watch;
        _selector.Watch(fd, previous, watch.Events);
        AssertWatched(fd);
        return true;
    }

    /// <summary>
    /// The registry's invariant: a descriptor is in <see cref="_watches"/> exactly while it has a live reader or
    /// writer, which is what the selector was last told to watch.
    /// </summary>
    [Conditional("DEBUG")]
    private void AssertWatched(int fd)
    {
        if (!_watches.TryGetValue(fd, out FdWatch watch)) return;
        System.Diagnostics.Debug.Assert(watch.Events != IoEvents.None, "a descriptor with no callback left must leave the registry");
        System.Diagnostics.Debug.Assert(watch.Reader is not { IsCancelled: true } && watch.Writer is not { IsCancelled: true },
            "a registered callback is never cancelled: cancelling is what removal and replacement do");
    }

    private static void SetCallback(ref FdWatch watch, IoEvents direction, IoCallback? callback)
    {
        if (direction == IoEvents.Read) watch.Reader = callback;
        else watch.Writer = callback;
    }

    /// <summary>
    /// How many of the I/O callbacks the selector found ready join the ready queue per iteration. asyncio queues
    /// them all at once, so that a task they wake runs only after every other one of them, and a loop reading
    /// 32 busy connections woke a task an iteration of 32 reads later: two per iteration let the tasks they wake run
    /// between them (H1's tasks shape 13% faster, the echo servers unchanged).
    /// </summary>
    internal const int IoCallbacksPerIteration = 2;

    /// <summary>I/O callbacks found ready that have not yet joined the ready queue, in the order the selector reported them.</summary>
    private readonly Queue<IoCallback> _ioReady = new();

    /// <summary>
    /// Takes the callbacks of the descriptors the selector found ready, in the order it reported them, and queues the
    /// first <see cref="IoCallbacksPerIteration"/> after what is already in the ready queue (asyncio:
    /// <c>_process_events</c>); the rest follow in the next iterations, before the selector is asked again (see
    /// <see cref="QueueReadyIo"/>). Each is resolved now, as asyncio resolves a key to its handle: a callback removed
    /// or replaced meanwhile is cancelled and does not run, and one registered meanwhile does not run for it.
    /// </summary>
    private void DispatchReady(ReadOnlySpan<ReadyEvent> events)
    {
        foreach (ReadyEvent ready in events)
        {
            if (!_watches.TryGetValue(ready.Fd, out FdWatch watch)) continue;
            if ((ready.Events & IoEvents.Read) != 0 && watch.Reader is { IsCancelled: false } reader) _ioReady.Enqueue(reader);
            if ((ready.Events & IoEvents.Write) != 0 && watch.Writer is { IsCancelled: false } writer) _ioReady.Enqueue(writer);
        }
        QueueReadyIo();
    }

    /// <summary>Moves the next <see cref="IoCallbacksPerIteration"/> I/O callbacks found ready to the ready queue.</summary>
    private void QueueReadyIo()
    {
        for (int i = 0; i < IoCallbacksPerIteration && _ioReady.TryDequeue(out IoCallback? callback); i++)
        {
            EnqueueReady(IoCallback.RunUnlessCancelled, callback, null, callback.Context);
        }
    }

    /// <summary>
    /// A future that completes when <paramref name="socket"/> is ready in <paramref name="direction"/>; cancelling
    /// it (by cancelling the task that awaits it) stops watching. What the socket operations await between tries.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another socket operation already waits on this socket in this direction.</exception>
    internal SocketReadiness WhenReady(Socket socket, IoEvents direction)
    {
        int fd = DescriptorOf(socket);
        if (_watches.TryGetValue(fd, out FdWatch watch)
            && (direction == IoEvents.Read ? watch.Reader : watch.Writer)?.A is SocketReadiness { IsDone: false })
        {
            // asyncio would replace the first waiter's reader and leave it pending forever: refuse instead.
            throw new InvalidOperationException(
                $"Another coroutine is already waiting to {(direction == IoEvents.Read ? "read from" : "write to")} this socket");
        }
        var readiness = new SocketReadiness(this, fd, direction);
        AddCallback(fd, direction, readiness.Callback, socket);
        _socketWaits++;
        readiness.AddListener(readiness);
        return readiness;
    }

    /// <summary>Called when a <see cref="SocketReadiness"/> is done (ready or cancelled): it stops watching and holding the clock.</summary>
    internal void SocketWaitEnded(SocketReadiness readiness)
    {
        _socketWaits--;
        RemoveCallback(readiness.Fd, readiness.Direction, readiness.Callback);
    }
}
