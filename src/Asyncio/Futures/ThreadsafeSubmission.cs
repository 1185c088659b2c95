namespace Asyncio;

/// <summary>
/// A coroutine submitted to a loop from another thread: started on the loop, it becomes a task whose outcome
/// is copied to a <see cref="Task{T}"/> the submitting thread can wait on.
/// <para>asyncio: the callback <c>run_coroutine_threadsafe</c> posts, and <c>futures._chain_future</c>.</para>
/// </summary>
/// <remarks>
/// <para>The .NET task always ends: with the loop task's outcome, or cancelled when <see cref="EventLoop.Close"/>
/// drops the submission (before it started, or with its loop task still pending). Nothing outside the loop
/// waits forever on a loop that is gone.</para>
/// <para>Started, completed and dropped on the loop's thread (or the closing thread, once the loop is closed);
/// the <see cref="TaskCompletionSource{TResult}"/> makes completing it safe from either.</para>
/// </remarks>
/// <typeparam name="T">The coroutine's result type.</typeparam>
internal sealed class ThreadsafeSubmission<T> : IFutureListener, IDroppedAtClose
{
    /// <summary>The loop the coroutine runs on.</summary>
    private readonly EventLoop _loop;

    /// <summary>The coroutine, until it becomes <see cref="_task"/>.</summary>
    private Coroutine<T> _coroutine;

    /// <summary>The loop task running the coroutine, once started.</summary>
    private AioTask<T>? _task;

    /// <summary>Cancels <see cref="_task"/> from any thread.</summary>
    private readonly CancellationToken _cancellationToken;

    /// <summary>The token's registration, disposed when the outcome is known.</summary>
    private CancellationTokenRegistration _registration;

    /// <summary>What the submitting thread waits on; continuations run asynchronously, never on the loop.</summary>
    private readonly TaskCompletionSource<T> _source = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ThreadsafeSubmission(EventLoop loop, Coroutine<T> coroutine, CancellationToken cancellationToken)
    {
        _loop = loop;
        _coroutine = coroutine;
        _cancellationToken = cancellationToken;
    }

    /// <summary>The outcome, for the submitting thread.</summary>
    public Task<T> Task => _source.Task;

    /// <summary>The callback posted to the loop.</summary>
    /// <remarks>Its argument is the submission itself, which is how <see cref="EventLoop.Close"/> finds it.</remarks>
    public static readonly Action<ThreadsafeSubmission<T>> Start = static submission => submission.StartOnLoop();

    private void StartOnLoop()
    {
        Coroutine<T> coroutine = _coroutine;
        _coroutine = default;
        try
        {
            _task = _loop.CreateTask(coroutine);
        }
        catch (Exception error)
        {
            _source.TrySetException(error);
            return;
        }
        _registration = _cancellationToken.Register(static t =>
        {
            var task = (AioTask)t!;
            // A token may fire after the loop closed: the task went with the loop, and throwing here would
            // surface in the unrelated thread that called CancellationTokenSource.Cancel.
            try
            {
                task.Loop.CallSoonThreadsafe(static task => task.Cancel(), task);
            }
            catch (InvalidOperationException) when (task.Loop.IsClosed)
            {
            }
        }, _task);
        _task.AddListener(this);
    }

    public void OnFutureDone(Future future)
    {
        _registration.Dispose();
        var task = (AioTask<T>)future;
        if (task.IsCancelled) _source.TrySetCanceled(_cancellationToken.IsCancellationRequested ? _cancellationToken : default);
        else if (task.Exception() is { } error) _source.TrySetException(error);
        else _source.TrySetResult(task.Result());
    }

    /// <summary>The loop closed before the task started, or with it pending: the outside waiter sees a cancellation.</summary>
    public void OnDroppedAtClose()
    {
        _registration.Dispose();
        _source.TrySetCanceled();
    }
}
