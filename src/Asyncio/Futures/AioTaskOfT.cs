using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// A task whose coroutine returns a <typeparamref name="T"/>. See <see cref="AioTask"/>.
/// <para>asyncio: <c>asyncio.Task</c>.</para>
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
public sealed class AioTask<T> : AioTask
{
    internal AioTask(EventLoop loop, Coroutine<T> coroutine, string? name) : base(loop, coroutine, name) { }

    /// <summary>
    /// The coroutine's return value; throws its exception, or <see cref="CancelledError"/> if the task was cancelled.
    /// <para>asyncio: <c>Task.result()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidStateError">The task is not done yet.</exception>
    public T Result()
    {
        ThrowIfFailed();
        return ((Coroutine<T>)_coroutine)._result;
    }

    /// <summary>A <see cref="Task{T}"/> that completes with this task, for code outside the loop.</summary>
    public new Task<T> AsTask()
    {
        var source = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        AddListener(new TaskCompletionBridge(source));
        return source.Task;
    }

    /// <summary>Awaits the task and returns its result.</summary>
    public new AioTaskAwaiter<T> GetAwaiter() => new(this);

    /// <inheritdoc/>
    private protected override string OutcomeText() =>
        State == FutureState.Finished && _outcome is null ? $" result={PyRepr.Value(((Coroutine<T>)_coroutine)._result)}" : base.OutcomeText();

    /// <summary>Completes a <see cref="TaskCompletionSource{T}"/> with the task's outcome.</summary>
    private sealed class TaskCompletionBridge : IFutureListener, IDroppedAtClose
    {
        private readonly TaskCompletionSource<T> _source;

        public TaskCompletionBridge(TaskCompletionSource<T> source) => _source = source;

        public void OnDroppedAtClose() => _source.TrySetCanceled();

        public void OnFutureDone(Future future)
        {
            var task = (AioTask<T>)future;
            if (task.IsCancelled) _source.TrySetCanceled();
            else if (task.Exception() is { } error) _source.TrySetException(error);
            else _source.TrySetResult(task.Result());
        }
    }
}

/// <summary>Awaiter of an <see cref="AioTask{T}"/>.</summary>
/// <typeparam name="T">The result type.</typeparam>
public readonly struct AioTaskAwaiter<T> : ICriticalNotifyCompletion, IFutureAwaiter
{
    /// <summary>The awaited task; the only field, so the builder can read it in place.</summary>
    private readonly AioTask<T> _task;

    internal AioTaskAwaiter(AioTask<T> task) => _task = task;

    /// <summary>True when the task is done.</summary>
    public bool IsCompleted => _task.IsDone;

    /// <summary>The task's result, or its exception or cancellation thrown.</summary>
    public T GetResult()
    {
        _task._loop.ThrowIfResumeInterrupted();
        return _task.Result();
    }

    /// <summary>Schedules <paramref name="continuation"/> on the loop when the task is done.</summary>
    public void OnCompleted(Action continuation) => _task.AddForeignContinuation(continuation);

    /// <summary>Schedules <paramref name="continuation"/> on the loop when the task is done.</summary>
    public void UnsafeOnCompleted(Action continuation) => OnCompleted(continuation);
}
