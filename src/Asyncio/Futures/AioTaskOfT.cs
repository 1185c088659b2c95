using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// A task whose coroutine returns a <typeparamref name="T"/>. See <see cref="AioTask"/>.
/// <para>asyncio: <c>asyncio.Task</c>.</para>
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
public abstract class AioTask<T> : AioTask
{
    /// <summary>The value the coroutine returned.</summary>
    private T _result = default!;

    /// <summary>A coroutine frame (a task only once <see cref="AioTask.BecomeTask"/> runs).</summary>
    private protected AioTask() { }

    /// <summary>The coroutine returned <paramref name="result"/>.</summary>
    internal void SetFrameResult(T result)
    {
        _result = result;
        CompleteFrame();
    }

    /// <summary>The result of a frame awaited inline, or the body's exception rethrown.</summary>
    internal T FrameResult()
    {
        RethrowFrameError();
        return _result;
    }

    /// <inheritdoc/>
    internal override Coroutine<VoidResult> AsVoid() => this as AioTask<VoidResult> is { } same ? new Coroutine<VoidResult>(same) : DiscardResult(new Coroutine<T>(this));

    /// <summary>Runs <paramref name="coroutine"/> and drops its result.</summary>
    private static async Coroutine<VoidResult> DiscardResult(Coroutine<T> coroutine)
    {
        await coroutine;
        return default;
    }

    /// <summary>
    /// The coroutine's return value; throws its exception, or <see cref="CancelledError"/> if the task was cancelled.
    /// <para>asyncio: <c>Task.result()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidStateError">The task is not done yet.</exception>
    public T Result()
    {
        ThrowIfFailed();
        return _result;
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
        State == FutureState.Finished && _outcome is null ? $" result={PyRepr.Value(_result)}" : base.OutcomeText();

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
