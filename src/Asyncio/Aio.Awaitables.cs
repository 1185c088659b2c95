namespace Asyncio;

// Every awaitable accepted wherever a coroutine is. A queue or primitive operation (LoopAwaitable<T>), a .NET
// Task<T> and a ValueTask<T> convert implicitly to Coroutine<T> (see OperationCoroutines), and a sleep, a
// LoopAwaitable, a Task and a ValueTask to Coroutine, so every function taking a coroutine takes them too. C#
// infers no type argument through such a conversion, though: these overloads keep the result type, and each
// one only converts and hands over to the coroutine form.
public static partial class Aio
{
    // ---------------------------------------------------------------- create_task / ensure_future

    /// <inheritdoc cref="CreateTask{T}(Coroutine{T}, string?)"/>
    /// <param name="operation">A queue or primitive operation (it started when called).</param>
    /// <param name="name">The task's name; <c>Task-N</c> when null.</param>
    public static AioTask<T> CreateTask<T>(LoopAwaitable<T> operation, string? name = null) => CreateTask((Coroutine<T>)operation, name);

    /// <inheritdoc cref="CreateTask{T}(Coroutine{T}, string?)"/>
    /// <param name="task">A .NET task; cancelling the returned task abandons the await of it.</param>
    /// <param name="name">The task's name; <c>Task-N</c> when null.</param>
    public static AioTask<T> CreateTask<T>(Task<T> task, string? name = null) => CreateTask((Coroutine<T>)task, name);

    /// <inheritdoc cref="CreateTask{T}(Coroutine{T}, string?)"/>
    /// <param name="task">A .NET value task, not awaited before.</param>
    /// <param name="name">The task's name; <c>Task-N</c> when null.</param>
    public static AioTask<T> CreateTask<T>(ValueTask<T> task, string? name = null) => CreateTask((Coroutine<T>)task, name);

    /// <inheritdoc cref="EnsureFuture{T}(Coroutine{T}, EventLoop?)"/>
    /// <param name="operation">A queue or primitive operation (it started when called).</param>
    /// <param name="loop">The loop; the running one (or this thread's) when null.</param>
    public static AioTask<T> EnsureFuture<T>(LoopAwaitable<T> operation, EventLoop? loop = null) => EnsureFuture((Coroutine<T>)operation, loop);

    /// <inheritdoc cref="EnsureFuture{T}(Coroutine{T}, EventLoop?)"/>
    /// <param name="task">A .NET value task, not awaited before.</param>
    /// <param name="loop">The loop; the running one (or this thread's) when null.</param>
    public static AioTask<T> EnsureFuture<T>(ValueTask<T> task, EventLoop? loop = null) => EnsureFuture((Coroutine<T>)task, loop);

    // ---------------------------------------------------------------- gather

    /// <inheritdoc cref="Gather{T}(Coroutine{T}[])"/>
    /// <param name="operations">Queue or primitive operations.</param>
    public static Future<T[]> Gather<T>(params LoopAwaitable<T>[] operations) => Gather(Coroutines(operations));

    /// <inheritdoc cref="Gather{T}(Coroutine{T}[])"/>
    /// <param name="tasks">.NET tasks.</param>
    public static Future<T[]> Gather<T>(params Task<T>[] tasks) => Gather(Coroutines(tasks));

    /// <inheritdoc cref="Gather{T}(Coroutine{T}[])"/>
    /// <param name="tasks">.NET value tasks.</param>
    public static Future<T[]> Gather<T>(params ValueTask<T>[] tasks) => Gather(Coroutines(tasks));

    /// <inheritdoc cref="GatherResults{T}(Coroutine{T}[])"/>
    /// <param name="operations">Queue or primitive operations.</param>
    public static Future<Outcome<T>[]> GatherResults<T>(params LoopAwaitable<T>[] operations) => GatherResults(Coroutines(operations));

    /// <inheritdoc cref="GatherResults{T}(Coroutine{T}[])"/>
    /// <param name="tasks">.NET tasks.</param>
    public static Future<Outcome<T>[]> GatherResults<T>(params Task<T>[] tasks) => GatherResults(Coroutines(tasks));

    /// <inheritdoc cref="GatherResults{T}(Coroutine{T}[])"/>
    /// <param name="tasks">.NET value tasks.</param>
    public static Future<Outcome<T>[]> GatherResults<T>(params ValueTask<T>[] tasks) => GatherResults(Coroutines(tasks));

    // ---------------------------------------------------------------- wait

    /// <summary>
    /// Wraps the coroutines in tasks and waits for them; see <see cref="Wait{TFuture}(IEnumerable{TFuture}, double?, ReturnWhen)"/>.
    /// The result holds the tasks: keep them no other way, so identify a coroutine's task by its name or result.
    /// <para>asyncio: <c>asyncio.wait(coros)</c> as in Python up to 3.10 (and the cheat sheet); 3.11+ accepts only
    /// futures and tasks.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="coroutines">The coroutines (or anything converting to one).</param>
    /// <param name="timeout">Seconds to wait at most; null waits as long as needed.</param>
    /// <param name="returnWhen">When to return.</param>
    public static Coroutine<WaitResult<AioTask<T>>> Wait<T>(
        IEnumerable<Coroutine<T>> coroutines, double? timeout = null, ReturnWhen returnWhen = ReturnWhen.AllCompleted)
    {
        ArgumentNullException.ThrowIfNull(coroutines);
        EventLoop loop = GetRunningLoop();
        return Wait(coroutines.Select(c => loop.CreateTask(c)).ToList(), timeout, returnWhen);
    }

    /// <inheritdoc cref="Wait{T}(IEnumerable{Coroutine{T}}, double?, ReturnWhen)"/>
    public static Coroutine<WaitResult<AioTask>> Wait(
        IEnumerable<Coroutine> coroutines, double? timeout = null, ReturnWhen returnWhen = ReturnWhen.AllCompleted)
    {
        ArgumentNullException.ThrowIfNull(coroutines);
        EventLoop loop = GetRunningLoop();
        return Wait(coroutines.Select(c => loop.CreateTask(c)).ToList(), timeout, returnWhen);
    }

    // ---------------------------------------------------------------- wait_for

    /// <inheritdoc cref="WaitFor{T}(Coroutine{T}, double?)"/>
    /// <param name="operation">A queue or primitive operation; withdrawn on timeout.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    public static Coroutine<T> WaitFor<T>(LoopAwaitable<T> operation, double? timeout) => WaitFor((Coroutine<T>)operation, timeout);

    /// <inheritdoc cref="WaitFor{T}(Coroutine{T}, double?)"/>
    /// <param name="task">A .NET task; its await is abandoned on timeout.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    public static Coroutine<T> WaitFor<T>(Task<T> task, double? timeout) => WaitFor((Coroutine<T>)task, timeout);

    /// <inheritdoc cref="WaitFor{T}(Coroutine{T}, double?)"/>
    /// <param name="task">A .NET value task, not awaited before; its await is abandoned on timeout.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    public static Coroutine<T> WaitFor<T>(ValueTask<T> task, double? timeout) => WaitFor((Coroutine<T>)task, timeout);

    /// <inheritdoc cref="WaitFor{T}(LoopAwaitable{T}, double?)"/>
    public static Coroutine<T> WaitFor<T>(LoopAwaitable<T> operation, TimeSpan timeout) => WaitFor((Coroutine<T>)operation, timeout);

    /// <inheritdoc cref="WaitFor{T}(Task{T}, double?)"/>
    public static Coroutine<T> WaitFor<T>(Task<T> task, TimeSpan timeout) => WaitFor((Coroutine<T>)task, timeout);

    /// <inheritdoc cref="WaitFor{T}(ValueTask{T}, double?)"/>
    public static Coroutine<T> WaitFor<T>(ValueTask<T> task, TimeSpan timeout) => WaitFor((Coroutine<T>)task, timeout);

    /// <inheritdoc cref="WaitFor(Coroutine, double?)"/>
    public static Coroutine WaitFor(Coroutine coroutine, TimeSpan timeout) => WaitFor(coroutine, timeout.TotalSeconds);

    // ---------------------------------------------------------------- shield

    /// <inheritdoc cref="Shield{T}(Coroutine{T})"/>
    /// <param name="operation">A queue or primitive operation, run in a protected task.</param>
    public static Future<T> Shield<T>(LoopAwaitable<T> operation) => Shield((Coroutine<T>)operation);

    /// <inheritdoc cref="Shield{T}(Coroutine{T})"/>
    /// <param name="task">A .NET task, awaited by a protected task.</param>
    public static Future<T> Shield<T>(Task<T> task) => Shield((Coroutine<T>)task);

    /// <inheritdoc cref="Shield{T}(Coroutine{T})"/>
    /// <param name="task">A .NET value task, awaited by a protected task.</param>
    public static Future<T> Shield<T>(ValueTask<T> task) => Shield((Coroutine<T>)task);

    // ---------------------------------------------------------------- timeout

    /// <summary>
    /// Awaits <paramref name="awaitable"/> (a coroutine runs inline, in the current task) within
    /// <paramref name="delay"/> seconds: <c>await Aio.Timeout(1.0, q.GetAsync())</c>. Same rules as
    /// <see cref="Timeout{T}(double?, Func{Coroutine{T}})"/>.
    /// <para>asyncio: <c>async with asyncio.timeout(delay): return await aw</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="delay">Seconds from now; null for no deadline.</param>
    /// <param name="awaitable">What to await.</param>
    /// <exception cref="TimeoutException">The deadline passed.</exception>
    public static Coroutine<T> Timeout<T>(double? delay, Coroutine<T> awaitable)
    {
        _ = awaitable.Frame;
        return Timeout(delay, () => awaitable);
    }

    /// <inheritdoc cref="Timeout{T}(double?, Coroutine{T})"/>
    public static Coroutine Timeout(double? delay, Coroutine awaitable)
    {
        _ = awaitable.Frame;
        return Timeout(delay, () => awaitable);
    }

    /// <inheritdoc cref="Timeout{T}(double?, Coroutine{T})"/>
    public static Coroutine<T> Timeout<T>(double? delay, LoopAwaitable<T> awaitable) => Timeout(delay, (Coroutine<T>)awaitable);

    /// <inheritdoc cref="Timeout{T}(double?, Coroutine{T})"/>
    public static Coroutine<T> Timeout<T>(double? delay, Task<T> awaitable) => Timeout(delay, (Coroutine<T>)awaitable);

    /// <inheritdoc cref="Timeout{T}(double?, Coroutine{T})"/>
    public static Coroutine<T> Timeout<T>(double? delay, ValueTask<T> awaitable) => Timeout(delay, (Coroutine<T>)awaitable);

    /// <inheritdoc cref="Timeout{T}(double?, Coroutine{T})"/>
    public static Coroutine<T> Timeout<T>(double? delay, Future<T> awaitable) => Timeout(delay, (Awaitable<T>)awaitable);

    /// <inheritdoc cref="Timeout{T}(double?, Coroutine{T})"/>
    public static Coroutine<T> Timeout<T>(double? delay, AioTask<T> awaitable) => Timeout(delay, (Awaitable<T>)awaitable);

    /// <inheritdoc cref="Timeout{T}(double?, Coroutine{T})"/>
    public static Coroutine<T> Timeout<T>(double? delay, Awaitable<T> awaitable)
    {
        _ = awaitable.Source;   // throws for default(Awaitable<T>) here, at the call
        return Timeout(delay, async () => await awaitable);
    }

    /// <inheritdoc cref="Timeout{T}(double?, Coroutine{T})"/>
    public static Coroutine<T> Timeout<T>(TimeSpan delay, Coroutine<T> awaitable) => Timeout(delay.TotalSeconds, awaitable);

    /// <inheritdoc cref="Timeout{T}(double?, Coroutine{T})"/>
    public static Coroutine Timeout(TimeSpan delay, Coroutine awaitable) => Timeout(delay.TotalSeconds, awaitable);

    // ---------------------------------------------------------------- as_completed

    /// <inheritdoc cref="AsCompleted{T}(IEnumerable{Coroutine{T}}, double?)"/>
    /// <param name="operations">Queue or primitive operations.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    public static AsCompletedIterator<T> AsCompleted<T>(IEnumerable<LoopAwaitable<T>> operations, double? timeout = null) =>
        AsCompleted(Coroutines(operations), timeout);

    /// <inheritdoc cref="AsCompleted{T}(IEnumerable{Coroutine{T}}, double?)"/>
    /// <param name="tasks">.NET tasks.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    public static AsCompletedIterator<T> AsCompleted<T>(IEnumerable<Task<T>> tasks, double? timeout = null) =>
        AsCompleted(Coroutines(tasks), timeout);

    /// <inheritdoc cref="AsCompleted{T}(IEnumerable{Coroutine{T}}, double?)"/>
    /// <param name="tasks">.NET value tasks, not awaited before.</param>
    /// <param name="timeout">Seconds; null for none.</param>
    public static AsCompletedIterator<T> AsCompleted<T>(IEnumerable<ValueTask<T>> tasks, double? timeout = null) =>
        AsCompleted(Coroutines(tasks), timeout);

    // ---------------------------------------------------------------- conversions

    private static Coroutine<T>[] Coroutines<T>(IEnumerable<LoopAwaitable<T>> operations) =>
        (operations ?? throw new ArgumentNullException(nameof(operations))).Select(static x => (Coroutine<T>)x).ToArray();

    private static Coroutine<T>[] Coroutines<T>(IEnumerable<Task<T>> tasks) =>
        (tasks ?? throw new ArgumentNullException(nameof(tasks))).Select(static x => (Coroutine<T>)x).ToArray();

    private static Coroutine<T>[] Coroutines<T>(IEnumerable<ValueTask<T>> tasks) =>
        (tasks ?? throw new ArgumentNullException(nameof(tasks))).Select(static x => (Coroutine<T>)x).ToArray();
}
