using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// A first-in, first-out queue for tasks on one loop, optionally bounded, with asyncio's semantics:
/// waiting getters and putters are served in arrival order; a put wakes the first waiting getter but does
/// not hand it the item (code that runs first may take it, and the getter then waits again); a cancelled
/// getter or putter never loses nor duplicates an item; <see cref="TaskDone"/> and <see cref="JoinAsync"/>
/// track the processing of items; <see cref="Shutdown"/> ends it (Python 3.13).
/// <para>asyncio: <c>asyncio.Queue</c>.</para>
/// </summary>
/// <remarks>
/// Not thread-safe: use it from its loop's thread (from other threads, go through
/// <see cref="EventLoop.CallSoonThreadsafe(Action)"/>). It binds to the loop it first waits on; from then on,
/// in debug mode, an operation from another thread while that loop runs throws.
/// A put or get that need not wait completes without yielding and without allocating.
/// </remarks>
/// <typeparam name="T">The item type.</typeparam>
[DebuggerDisplay("{ToString(),nq}")]
public class AsyncQueue<T> : IWaiterOwner, IWakeUpScreen, IWaiterResult<T>
{
    /// <summary>The items, in the order of this kind of queue.</summary>
    private readonly QueueStore<T> _items;

    /// <summary>Tasks waiting for an item; popped when woken.</summary>
    private readonly WaiterQueue _getters = new();

    /// <summary>Tasks waiting for room; popped when woken.</summary>
    private readonly WaiterQueue _putters = new();

    /// <summary>Set while no put item is unfinished: what <see cref="JoinAsync"/> waits for.</summary>
    private readonly AsyncEvent _finished = new();

    /// <summary>Items allowed; zero or less means unbounded.</summary>
    private readonly int _maxSize;

    /// <summary>The loop this queue waits on.</summary>
    private LoopBinding _loop;

    /// <summary>Items put and not yet marked done with <see cref="TaskDone"/>.</summary>
    private int _unfinished;

    /// <summary>True after <see cref="Shutdown"/>.</summary>
    private bool _isShutdown;

    /// <summary>
    /// Creates a queue holding up to <paramref name="maxSize"/> items (zero or less: unbounded).
    /// <para>asyncio: <c>asyncio.Queue(maxsize=0)</c>.</para>
    /// </summary>
    public AsyncQueue(int maxSize = 0) : this(maxSize, new FifoStore<T>()) { }

    private protected AsyncQueue(int maxSize, QueueStore<T> items)
    {
        _maxSize = maxSize;
        _items = items;
        _finished.Set();
    }

    /// <summary>
    /// Items in the queue.
    /// <para>asyncio: <c>Queue.qsize()</c>.</para>
    /// </summary>
    public int Count => _items.Count;

    /// <summary>
    /// Items allowed (zero or less: unbounded).
    /// <para>asyncio: <c>Queue.maxsize</c>.</para>
    /// </summary>
    public int MaxSize => _maxSize;

    /// <summary>
    /// True when the queue holds no item.
    /// <para>asyncio: <c>Queue.empty()</c>.</para>
    /// </summary>
    public bool IsEmpty => _items.Count == 0;

    /// <summary>
    /// True when the queue holds <see cref="MaxSize"/> items; never for an unbounded queue.
    /// <para>asyncio: <c>Queue.full()</c>.</para>
    /// </summary>
    public bool IsFull => _maxSize > 0 && _items.Count >= _maxSize;

    /// <summary>
    /// Puts an item, waiting while the queue is full. Completes without waiting when there is room.
    /// <para>asyncio: <c>await queue.put(item)</c>.</para>
    /// </summary>
    /// <exception cref="QueueShutDown">The queue was shut down (also while waiting).</exception>
    /// <exception cref="CancelledError">The task was cancelled while waiting; the item was not put.</exception>
    public LoopAwaitable PutAsync(T item)
    {
        if (IsFull) return new LoopAwaitable(PutWhenRoom(item));
        PutNowait(item);
        return LoopAwaitable.Completed;
    }

    /// <summary>
    /// Puts an item without waiting and wakes the first waiting getter.
    /// <para>asyncio: <c>Queue.put_nowait(item)</c>.</para>
    /// </summary>
    /// <exception cref="QueueFull">The queue is full.</exception>
    /// <exception cref="QueueShutDown">The queue was shut down.</exception>
    public void PutNowait(T item)
    {
        _loop.CheckThread(this);
        if (_isShutdown) throw new QueueShutDown();
        if (IsFull) throw new QueueFull();
        _items.Add(item);
        _unfinished++;
        _finished.Clear();
        _getters.DequeueAndWake();
    }

    /// <summary>
    /// Removes and returns an item, waiting while the queue is empty. Completes without waiting when an
    /// item is there.
    /// <para>asyncio: <c>await queue.get()</c>.</para>
    /// </summary>
    /// <exception cref="QueueShutDown">The queue was shut down and is empty, or shut down immediately.</exception>
    /// <exception cref="CancelledError">The task was cancelled while waiting; no item was taken.</exception>
    public LoopAwaitable<T> GetAsync()
    {
        if (!IsEmpty) return new LoopAwaitable<T>(GetNowait());
        if (_isShutdown) throw new QueueShutDown();
        // The waiter screens its wake-ups (IWakeUpScreen): one whose item was taken first waits again.
        return new LoopAwaitable<T>(_getters.Enqueue(_loop.Get(this), this), default!);
    }

    /// <summary>
    /// Removes and returns an item without waiting, and wakes the first waiting putter.
    /// <para>asyncio: <c>Queue.get_nowait()</c>.</para>
    /// </summary>
    /// <exception cref="QueueEmpty">The queue is empty.</exception>
    /// <exception cref="QueueShutDown">The queue is empty and was shut down.</exception>
    public T GetNowait()
    {
        _loop.CheckThread(this);
        if (IsEmpty)
        {
            if (_isShutdown) throw new QueueShutDown();
            throw new QueueEmpty();
        }
        T item = _items.Take();
        _putters.DequeueAndWake();
        return item;
    }

    /// <summary>
    /// Marks one item got from the queue as processed; when every put item is, <see cref="JoinAsync"/> returns.
    /// <para>asyncio: <c>Queue.task_done()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">Called more times than items were put.</exception>
    public void TaskDone()
    {
        _loop.CheckThread(this);
        if (_unfinished <= 0) throw new InvalidOperationException("task_done() called too many times");
        if (--_unfinished == 0) _finished.Set();
    }

    /// <summary>
    /// Waits until every item put has been marked done with <see cref="TaskDone"/>; returns at once if so.
    /// <para>asyncio: <c>await queue.join()</c>.</para>
    /// </summary>
    public LoopAwaitable JoinAsync() =>
        _unfinished > 0 ? new LoopAwaitable(_finished.WaitAsync()._source) : LoopAwaitable.Completed;

    /// <summary>
    /// Shuts the queue down: puts throw <see cref="QueueShutDown"/>, and so do gets once the queue is empty;
    /// waiting getters and putters are woken to find out. With <paramref name="immediate"/>, the items
    /// left are dropped (each counted as done, which may release <see cref="JoinAsync"/>) and gets throw at once.
    /// <para>asyncio: <c>Queue.shutdown(immediate=False)</c> (Python 3.13).</para>
    /// </summary>
    public void Shutdown(bool immediate = false)
    {
        _loop.CheckThread(this);
        _isShutdown = true;
        if (immediate)
        {
            while (!IsEmpty)
            {
                _items.Take();
                if (_unfinished > 0) _unfinished--;
            }
            if (_unfinished == 0) _finished.Set();
        }
        while (_getters.DequeueAndWake()) { }
        while (_putters.DequeueAndWake()) { }
    }

    /// <summary>The waiting path of <see cref="PutAsync"/> (asyncio's <c>put</c> loop).</summary>
    private async Coroutine PutWhenRoom(T item)
    {
        while (IsFull)
        {
            if (_isShutdown) throw new QueueShutDown();
            Waiter putter = _putters.Enqueue(_loop.Get(this));
            try
            {
                await putter;
            }
            catch (Exception)
            {
                putter.Cancel();
                _putters.Remove(putter);
                // Woken for room it will not use: the next putter gets the chance.
                if (!IsFull && !putter.IsCancelled) _putters.DequeueAndWake();
                throw;
            }
        }
        PutNowait(item);
    }

    bool IWakeUpScreen.StillWanted(Waiter waiter) => !IsEmpty || _isShutdown;

    void IWakeUpScreen.Requeue(Waiter waiter) => _getters.Append(waiter);

    void IWaiterOwner.OnResumed(Waiter waiter) { }

    T IWaiterResult<T>.TakeResult(Waiter waiter) => GetNowait();

    void IWaiterOwner.OnAbandoned(Waiter waiter)
    {
        _getters.Remove(waiter);
        // Woken for an item it will not take: the next getter gets the chance (B103).
        if (!IsEmpty && waiter.IsWoken) _getters.DequeueAndWake();
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string text = $"maxsize={_maxSize}";
        if (!IsEmpty) text += $" _queue=[{string.Join(", ", _items.InTakeOrder().Select(static item => PyRepr.Value(item)))}]";
        if (_getters.Count > 0) text += $" _getters[{_getters.Count}]";
        if (_putters.Count > 0) text += $" _putters[{_putters.Count}]";
        if (_unfinished > 0) text += $" tasks={_unfinished}";
        if (_isShutdown) text += " shutdown";
        return $"<{GetType().Name.Split('`')[0]} {text}>";
    }
}
