namespace Asyncio;

/// <summary>
/// Coroutines that await one awaitable of another kind, so that everything awaitable is accepted wherever a
/// coroutine is (<c>Aio.CreateTask(Aio.Sleep(2))</c>, <c>Aio.WaitFor(q.GetAsync(), 1.0)</c>,
/// <c>Aio.Gather(httpTask, Fetch())</c>): the implicit conversions of <see cref="SleepAwaitable"/>,
/// <see cref="LoopAwaitable"/>, <see cref="LoopAwaitable{T}"/>, <see cref="Task"/> and <see cref="ValueTask"/>
/// to <see cref="Coroutine"/> end here. A plain <c>await</c> of those awaitables never goes through them.
/// </summary>
internal static class OperationCoroutines
{
    /// <summary>A sleep (nothing started yet: an ordinary coroutine).</summary>
    public static async Coroutine Sleep(SleepAwaitable sleep) => await sleep;

    /// <summary>A queue or primitive operation without a result, started when it was called.</summary>
    public static Coroutine Await(LoopAwaitable operation) => Started(AwaitOperation(operation));

    /// <summary>A queue or primitive operation, started when it was called.</summary>
    public static Coroutine<T> Await<T>(LoopAwaitable<T> operation) =>
        operation._source is AioTask<T> frame ? new Coroutine<T>(frame) : Started(AwaitOperation(operation));

    /// <summary>A .NET task.</summary>
    public static Coroutine Await(Task task) => Started(AwaitTask(task));

    /// <summary>A .NET task with a result.</summary>
    public static Coroutine<T> Await<T>(Task<T> task) => Started(AwaitTask(task));

    /// <summary>A .NET value task (awaited exactly once, as it must be).</summary>
    public static Coroutine Await(ValueTask task) => Started(AwaitValueTask(task));

    /// <summary>A .NET value task with a result (awaited exactly once, as it must be).</summary>
    public static Coroutine<T> Await<T>(ValueTask<T> task) => Started(AwaitValueTask(task));

    private static Coroutine Started(Coroutine coroutine)
    {
        coroutine.Frame.AwaitsStartedOperation = true;
        return coroutine;
    }

    private static Coroutine<T> Started<T>(Coroutine<T> coroutine)
    {
        coroutine.Frame.AwaitsStartedOperation = true;
        return coroutine;
    }

    // The method names below are what reprs show as the coroutine's name.

    private static async Coroutine AwaitOperation(LoopAwaitable operation) => await operation;

    private static async Coroutine<T> AwaitOperation<T>(LoopAwaitable<T> operation) => await operation;

    private static async Coroutine AwaitTask(Task task) => await task;

    private static async Coroutine<T> AwaitTask<T>(Task<T> task) => await task;

    private static async Coroutine AwaitValueTask(ValueTask task) => await task;

    private static async Coroutine<T> AwaitValueTask<T>(ValueTask<T> task) => await task;
}
