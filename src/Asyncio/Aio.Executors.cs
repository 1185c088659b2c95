namespace Asyncio;

public static partial class Aio
{
    /// <summary>
    /// Runs <paramref name="func"/> in the running loop's default executor, in the caller's
    /// <see cref="ExecutionContext"/> (so <see cref="AsyncLocal{T}"/> values flow to the worker thread;
    /// changes made there do not flow back), and returns its result. Lazy like any coroutine: nothing is
    /// submitted until it is awaited or wrapped in a task. Cancelling the awaiting task cancels the job
    /// only if it has not started.
    /// <para>asyncio: <c>asyncio.to_thread(func)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="func">The blocking function.</param>
    /// <exception cref="InvalidOperationException">No loop is running, or its default executor was shut down.</exception>
    public static async Coroutine<T> ToThread<T>(Func<T> func)
    {
        ArgumentNullException.ThrowIfNull(func);
        EventLoop loop = GetRunningLoop();
        return await loop.Submit(null, func, ExecutionContext.Capture());
    }

    /// <summary>
    /// Runs <paramref name="action"/> in the running loop's default executor, in the caller's context; see
    /// <see cref="ToThread{T}(Func{T})"/>.
    /// <para>asyncio: <c>asyncio.to_thread(func)</c>.</para>
    /// </summary>
    /// <param name="action">The blocking action.</param>
    public static async Coroutine ToThread(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        EventLoop loop = GetRunningLoop();
        await loop.Submit<object?>(null, () =>
        {
            action();
            return null;
        }, ExecutionContext.Capture());
    }
}
