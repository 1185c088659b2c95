namespace Asyncio;

/// <summary><c>Executor.map</c> on top of any <see cref="IExecutor"/>: submit everything now, yield in order.</summary>
internal static class ExecutorMap
{
    public static IEnumerable<TResult> Run<TArg, TResult>(IExecutor executor, Func<TArg, TResult> func, IEnumerable<TArg> items, double? timeout)
    {
        ArgumentNullException.ThrowIfNull(func);
        ArgumentNullException.ThrowIfNull(items);
        if (timeout is double t && double.IsNaN(t)) throw new ArgumentException("timeout is NaN", nameof(timeout));
        // The deadline counts from the call, as Python's map computes end_time before it yields anything.
        long? deadline = timeout is double seconds ? Environment.TickCount64 + (long)(Math.Max(0, seconds) * 1000) : null;
        var cancel = new CancellationTokenSource();
        var jobs = new List<Task<TResult>>();
        try
        {
            foreach (TArg item in items) jobs.Add(executor.Submit(func, item, cancel.Token));
        }
        catch
        {
            cancel.Cancel();
            throw;
        }
        return Yield(jobs, deadline, cancel);
    }

    private static IEnumerable<TResult> Yield<TResult>(List<Task<TResult>> jobs, long? deadline, CancellationTokenSource cancel)
    {
        try
        {
            foreach (Task<TResult> job in jobs)
            {
                // The wait handle, not Task.Wait: Wait would throw a faulted job's error wrapped, before its turn.
                if (deadline is long end && !job.IsCompleted
                    && !((IAsyncResult)job).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(Math.Max(0, end - Environment.TickCount64))))
                {
                    throw new TimeoutException();
                }
                yield return job.GetAwaiter().GetResult();
            }
        }
        finally
        {
            // Reached on completion, on an exception, and when the caller stops early: drop what has not started.
            cancel.Cancel();
            cancel.Dispose();
        }
    }
}
