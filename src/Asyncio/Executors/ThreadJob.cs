namespace Asyncio;

/// <summary>A job a worker thread of a <see cref="ThreadPoolExecutor"/> runs in-process.</summary>
internal abstract class ThreadJob : ExecutorJob
{
    /// <summary>Runs the job on the calling worker thread and delivers its outcome. Call after <see cref="ExecutorJob.TryStart"/>.</summary>
    public abstract void Execute();
}

/// <summary>
/// A function run in a worker thread, in the <see cref="ExecutionContext"/> given (or the worker's own,
/// clean one), whose outcome a subclass delivers.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
internal abstract class ThreadJob<T> : ThreadJob
{
    private readonly Func<T> _func;

    /// <summary>The caller's context for <c>to_thread</c>; null runs in the worker's clean context (<c>run_in_executor</c>).</summary>
    private readonly ExecutionContext? _context;

    protected ThreadJob(Func<T> func, ExecutionContext? context)
    {
        _func = func;
        _context = context;
    }

    public sealed override void Execute()
    {
        if (_context is null) Run();
        else ExecutionContext.Run(_context, static job => ((ThreadJob<T>)job!).Run(), this);
    }

    private void Run()
    {
        T result = default!;
        Exception? error = null;
        try
        {
            result = _func();
        }
        catch (Exception e)
        {
            error = e;
        }
        if (TryFinish()) Deliver(result, error);
    }

    /// <summary>Delivers the outcome: exactly one of <paramref name="result"/> or <paramref name="error"/> is meaningful.</summary>
    protected abstract void Deliver(T result, Exception? error);
}

/// <summary>A job submitted with <see cref="ThreadPoolExecutor.Submit{TResult}(Func{TResult}, CancellationToken)"/>: its outcome goes to a <see cref="Task{TResult}"/>.</summary>
/// <typeparam name="T">The result type.</typeparam>
internal sealed class TaskJob<T> : ThreadJob<T>
{
    public TaskJob(Func<T> func) : base(func, null) { }

    public JobCompletion<T> Completion { get; } = new();

    protected override void Deliver(T result, Exception? error)
    {
        if (error is null) Completion.SetResult(result);
        else Completion.SetException(error);
    }

    protected override void OnCancelled() => Completion.SetCanceled();

    protected override void OnFailed(Exception error) => Completion.SetException(error);
}
