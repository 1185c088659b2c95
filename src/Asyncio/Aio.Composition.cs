namespace Asyncio;

// asyncio's composition functions (tasks.py, timeouts.py), built only from futures, tasks and cancellation.
public static partial class Aio
{
    // ---------------------------------------------------------------- wait

    /// <summary>
    /// Waits until the futures satisfy <paramref name="returnWhen"/> or <paramref name="timeout"/> seconds pass,
    /// and returns the original objects split into done and pending. Never throws <see cref="TimeoutException"/>
    /// and never cancels anything (also not when the waiting task is cancelled). Duplicates count once.
    /// <para>asyncio: <c>asyncio.wait(fs, timeout=None, return_when=ALL_COMPLETED)</c>.</para>
    /// </summary>
    /// <typeparam name="TFuture">The future or task type (coroutines are not accepted: wrap them in tasks).</typeparam>
    /// <param name="futures">The futures or tasks.</param>
    /// <param name="timeout">Seconds to wait at most; null waits as long as needed.</param>
    /// <param name="returnWhen">When to return.</param>
    /// <exception cref="ArgumentException">The collection is empty, <paramref name="timeout"/> is NaN, or <paramref name="returnWhen"/> is invalid (thrown at the call).</exception>
    public static Coroutine<WaitResult<TFuture>> Wait<TFuture>(
        IEnumerable<TFuture> futures, double? timeout = null, ReturnWhen returnWhen = ReturnWhen.AllCompleted)
        where TFuture : Future
    {
        ArgumentNullException.ThrowIfNull(futures);
        if (!Enum.IsDefined(returnWhen)) throw new ArgumentException($"Invalid return_when value: {returnWhen}", nameof(returnWhen));
        EventLoop.ThrowIfNaN(timeout, nameof(timeout));
        var set = new HashSet<TFuture>(futures, ReferenceEqualityComparer.Instance);
        if (set.Count == 0) throw new ArgumentException("Set of Tasks/Futures is empty.", nameof(futures));
        return WaitCore(set, timeout, returnWhen);
    }

    /// <inheritdoc cref="Wait{TFuture}(IEnumerable{TFuture}, double?, ReturnWhen)"/>
    public static Coroutine<WaitResult<TFuture>> Wait<TFuture>(
        IEnumerable<TFuture> futures, TimeSpan timeout, ReturnWhen returnWhen = ReturnWhen.AllCompleted)
        where TFuture : Future => Wait(futures, timeout.TotalSeconds, returnWhen);

    private static async Coroutine<WaitResult<TFuture>> WaitCore<TFuture>(HashSet<TFuture> futures, double? timeout, ReturnWhen returnWhen)
        where TFuture : Future
    {
        EventLoop loop = GetRunningLoop();
        var waiter = new WaitWaiter(loop, futures.Count, returnWhen);
        if (timeout is { } delay) waiter.Timer = loop.CallLater(delay, WaitWaiter.Release, waiter);
        foreach (TFuture future in futures) future.AddListener(waiter);
        try
        {
            await waiter.Released;
        }
        finally
        {
            waiter.Timer?.Cancel();
            foreach (TFuture future in futures) future.RemoveListener(waiter);
        }
        var done = new HashSet<TFuture>(ReferenceEqualityComparer.Instance);
        var pending = new HashSet<TFuture>(ReferenceEqualityComparer.Instance);
        foreach (TFuture future in futures) (future.IsDone ? done : pending).Add(future);
        return new WaitResult<TFuture>(done, pending);
    }

    // ---------------------------------------------------------------- wait_for

    /// <summary>
    /// Awaits <paramref name="coroutine"/> (inline, in the current task) with a deadline. When it passes, the
    /// current task is cancelled, the awaitable's cleanup runs to its end, and <see cref="TimeoutException"/> is
    /// thrown, unless the awaitable swallowed the cancellation and returned a value, which is then returned.
    /// A null timeout waits forever; a timeout of zero or less checks once (a coroutine is then never started).
    /// <para>asyncio: <c>asyncio.wait_for(aw, timeout)</c> (3.12+, built on <c>asyncio.timeout</c>).</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="coroutine">What to await.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="timeout"/> is NaN (thrown at the call).</exception>
    /// <exception cref="TimeoutException">The deadline passed.</exception>
    public static Coroutine<T> WaitFor<T>(Coroutine<T> coroutine, double? timeout) => WaitForCore<T>(coroutine, timeout);

    /// <inheritdoc cref="WaitFor{T}(Coroutine{T}, double?)"/>
    /// <param name="task">The task to await; cancelled on timeout.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    public static Coroutine<T> WaitFor<T>(AioTask<T> task, double? timeout) => WaitForCore<T>(task, timeout);

    /// <inheritdoc cref="WaitFor{T}(Coroutine{T}, double?)"/>
    /// <param name="future">The future to await; cancelled on timeout.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    public static Coroutine<T> WaitFor<T>(Future<T> future, double? timeout) => WaitForCore<T>(future, timeout);

    /// <inheritdoc cref="WaitFor{T}(Coroutine{T}, double?)"/>
    /// <param name="awaitable">What to await.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    public static Coroutine<T> WaitFor<T>(Awaitable<T> awaitable, double? timeout) => WaitForCore(awaitable, timeout);

    /// <inheritdoc cref="WaitFor{T}(Coroutine{T}, double?)"/>
    public static Coroutine<T> WaitFor<T>(Coroutine<T> coroutine, TimeSpan timeout) => WaitForCore<T>(coroutine, timeout.TotalSeconds);

    /// <inheritdoc cref="WaitFor{T}(AioTask{T}, double?)"/>
    public static Coroutine<T> WaitFor<T>(AioTask<T> task, TimeSpan timeout) => WaitForCore<T>(task, timeout.TotalSeconds);

    /// <inheritdoc cref="WaitFor{T}(Future{T}, double?)"/>
    public static Coroutine<T> WaitFor<T>(Future<T> future, TimeSpan timeout) => WaitForCore<T>(future, timeout.TotalSeconds);

    /// <summary>
    /// Awaits a coroutine that returns nothing, with a deadline; see <see cref="WaitFor{T}(Coroutine{T}, double?)"/>.
    /// <para>asyncio: <c>asyncio.wait_for(aw, timeout)</c>.</para>
    /// </summary>
    /// <param name="coroutine">What to await.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    public static Coroutine WaitFor(Coroutine coroutine, double? timeout) =>
        WaitForCore<VoidResult>(coroutine.AsVoid(), timeout);

    /// <summary>
    /// Awaits a task that returns nothing, with a deadline; see <see cref="WaitFor{T}(Coroutine{T}, double?)"/>.
    /// <para>asyncio: <c>asyncio.wait_for(aw, timeout)</c>.</para>
    /// </summary>
    /// <param name="task">The task; cancelled on timeout.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    public static Coroutine WaitFor(AioTask task, double? timeout) =>
        WaitForCore<VoidResult>((AioTask<VoidResult>)task, timeout);

    private static Coroutine<T> WaitForCore<T>(Awaitable<T> awaitable, double? timeout)
    {
        EventLoop.ThrowIfNaN(timeout, nameof(timeout));
        return WaitForBody(awaitable, timeout);
    }

    private static async Coroutine<T> WaitForBody<T>(Awaitable<T> awaitable, double? timeout)
    {
        if (timeout is { } seconds && seconds <= 0)
        {
            Future future = awaitable.ToFuture(GetRunningLoop());
            if (future.IsDone) return Awaitable<T>.ResultOf(future);
            await CancelAndWait(future);
            try
            {
                return Awaitable<T>.ResultOf(future);
            }
            catch (CancelledError cancelled)
            {
                throw new TimeoutException("The operation has timed out.", cancelled);
            }
        }
        var handle = new TimeoutHandle(timeout, relative: true);
        handle.Enter();
        T result;
        try
        {
            result = await awaitable;
        }
        catch (Exception error)
        {
            if (handle.Exit(error) is { } timedOut) throw timedOut;
            throw;
        }
        handle.Exit(null);
        return result;
    }

    /// <summary>Cancels <paramref name="future"/> and waits until it is done, without taking its outcome.</summary>
    private static async Coroutine CancelAndWait(Future future)
    {
        var waiter = new WaitWaiter(future.Loop, 1, ReturnWhen.AllCompleted);
        future.AddListener(waiter);
        try
        {
            future.Cancel();
            await waiter.Released;
        }
        finally
        {
            future.RemoveListener(waiter);
        }
    }

    // ---------------------------------------------------------------- shield

    /// <summary>
    /// Protects <paramref name="task"/> from cancellation: returns a new future with the task's outcome;
    /// cancelling that future (or the task awaiting it, or a <see cref="WaitFor{T}(Future{T}, double?)"/>
    /// timing out on it) leaves the task running. A cancelled task cancels the returned future.
    /// <para>asyncio: <c>asyncio.shield(aw)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The task to protect.</param>
    public static Future<T> Shield<T>(AioTask<T> task) => ShieldCore<T>(task);

    /// <summary>
    /// Protects <paramref name="future"/>; a future already done is returned itself.
    /// See <see cref="Shield{T}(AioTask{T})"/>. <para>asyncio: <c>asyncio.shield(aw)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="future">The future to protect.</param>
    public static Future<T> Shield<T>(Future<T> future) => ShieldCore<T>(future);

    /// <summary>
    /// Wraps <paramref name="coroutine"/> in a task and protects it. See <see cref="Shield{T}(AioTask{T})"/>.
    /// <para>asyncio: <c>asyncio.shield(coro)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="coroutine">The coroutine to run in a protected task.</param>
    public static Future<T> Shield<T>(Coroutine<T> coroutine) => ShieldCore<T>(coroutine);

    /// <inheritdoc cref="Shield{T}(AioTask{T})"/>
    /// <param name="awaitable">What to protect.</param>
    public static Future<T> Shield<T>(Awaitable<T> awaitable) => ShieldCore(awaitable);

    /// <summary>
    /// Protects a task, future or coroutine whose result does not matter (a result-less one, or any type): the
    /// returned future completes with null, the inner's exception, or cancellation. See
    /// <see cref="Shield{T}(AioTask{T})"/>.
    /// <para>asyncio: <c>asyncio.shield(aw)</c>.</para>
    /// </summary>
    /// <param name="future">The future or task to protect.</param>
    public static Future<object?> Shield(Future future)
    {
        ArgumentNullException.ThrowIfNull(future);
        return ShieldListener<object?>.Shield(future, static _ => null);
    }

    /// <summary>
    /// Wraps a result-less coroutine in a task and protects it; see <see cref="Shield(Future)"/>.
    /// <para>asyncio: <c>asyncio.shield(coro)</c>.</para>
    /// </summary>
    /// <param name="coroutine">A coroutine declared <c>async Coroutine</c>.</param>
    public static Future<object?> Shield(Coroutine coroutine) => Shield(GetEventLoop().CreateTask(coroutine));

    private static Future<T> ShieldCore<T>(Awaitable<T> awaitable) =>
        ShieldListener<T>.Shield(awaitable.ToFuture(awaitable.LoopOrNull ?? GetEventLoop()), static inner => Awaitable<T>.ResultOf(inner));

    // ---------------------------------------------------------------- as_completed

    /// <summary>
    /// The tasks in the order they complete, for <c>await foreach</c>; each item is the completed task as an
    /// <see cref="Awaitable{T}"/> (<c>await item</c> gives its result or throws). Duplicates count once. After
    /// <paramref name="timeout"/> seconds the iteration throws <see cref="TimeoutException"/>; nothing is cancelled.
    /// <para>asyncio: <c>asyncio.as_completed(aws, timeout=None)</c> with <c>async for</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="tasks">The tasks.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    /// <exception cref="ArgumentException"><paramref name="timeout"/> is NaN.</exception>
    public static AsCompletedIterator<T> AsCompleted<T>(IEnumerable<AioTask<T>> tasks, double? timeout = null) =>
        AsCompletedCore(tasks.Select(static t => (Awaitable<T>)t), timeout);

    /// <inheritdoc cref="AsCompleted{T}(IEnumerable{AioTask{T}}, double?)"/>
    /// <param name="futures">The futures.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    public static AsCompletedIterator<T> AsCompleted<T>(IEnumerable<Future<T>> futures, double? timeout = null) =>
        AsCompletedCore(futures.Select(static f => (Awaitable<T>)f), timeout);

    /// <summary>
    /// Wraps the coroutines in tasks and yields them in the order they complete; see
    /// <see cref="AsCompleted{T}(IEnumerable{AioTask{T}}, double?)"/>.
    /// <para>asyncio: <c>asyncio.as_completed(aws, timeout=None)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="coroutines">The coroutines.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    public static AsCompletedIterator<T> AsCompleted<T>(IEnumerable<Coroutine<T>> coroutines, double? timeout = null) =>
        AsCompletedCore(coroutines.Select(static c => (Awaitable<T>)c), timeout);

    /// <inheritdoc cref="AsCompleted{T}(IEnumerable{AioTask{T}}, double?)"/>
    /// <param name="awaitables">Coroutines, tasks and futures, mixed.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    public static AsCompletedIterator<T> AsCompleted<T>(IEnumerable<Awaitable<T>> awaitables, double? timeout = null) =>
        AsCompletedCore(awaitables, timeout);

    private static AsCompletedIterator<T> AsCompletedCore<T>(IEnumerable<Awaitable<T>> awaitables, double? timeout)
    {
        ArgumentNullException.ThrowIfNull(awaitables);
        EventLoop.ThrowIfNaN(timeout, nameof(timeout));
        Awaitable<T>[] items = awaitables.ToArray();
        EventLoop? loop = null;
        foreach (Awaitable<T> item in items) loop = SameLoop(loop, item.LoopOrNull);
        loop ??= GetRunningLoop();
        var arguments = new GatherArguments(loop);
        foreach (Awaitable<T> item in items) arguments.Add(item);
        return new AsCompletedIterator<T>(loop, arguments.Children, timeout);
    }
}
