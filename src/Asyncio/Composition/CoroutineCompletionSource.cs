using System.Threading.Tasks.Sources;

namespace Asyncio;

/// <summary>
/// A <see cref="ValueTask"/> completed when a coroutine run inline completes: lets an
/// <see cref="IAsyncDisposable.DisposeAsync"/> run a coroutine in the caller's task. Completed synchronously
/// when the coroutine never suspends, so awaiting it then costs nothing.
/// </summary>
internal sealed class CoroutineCompletionSource : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core;

    public ValueTask Task => new(this, _core.Version);

    /// <summary>
    /// Runs <paramref name="coroutine"/> inline in the caller's task (a cancellation of that task reaches its
    /// await, as in asyncio's <c>__aexit__</c>) and gives a value task that completes with it.
    /// </summary>
    public static ValueTask RunInline(Coroutine coroutine)
    {
        var completion = new CoroutineCompletionSource();
        CoroutineAwaiter awaiter = coroutine.GetAwaiter();
        _ = awaiter.IsCompleted;
        awaiter.UnsafeOnCompleted(() => completion.Complete(coroutine.Frame.FrameError));
        return completion.Task;
    }

    public void Complete(Exception? error)
    {
        if (error is null) _core.SetResult(true);
        else _core.SetException(error);
    }

    public void GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
