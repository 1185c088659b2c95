namespace Asyncio;

/// <summary>
/// The <see cref="SynchronizationContext"/> installed while a loop runs, so that ordinary <c>async Task</c>
/// code called from a coroutine comes back to the loop thread after its awaits, as asyncio code would.
/// </summary>
internal sealed class LoopSynchronizationContext : SynchronizationContext
{
    /// <summary>The loop posts go to.</summary>
    private readonly EventLoop _loop;

    public LoopSynchronizationContext(EventLoop loop) => _loop = loop;

    /// <summary>Runs the callback on the loop, from any thread; on the thread pool once the loop is closed.</summary>
    public override void Post(SendOrPostCallback d, object? state)
    {
        try
        {
            _loop.CallSoonThreadsafe(static pair => pair.d(pair.state), (d, state));
        }
        catch (InvalidOperationException) when (_loop.IsClosed)
        {
            // An async method that outlived its loop (one a cancellation abandoned) resumes here on whatever thread
            // completed its await. Throwing would crash that thread; dropping the callback would leave the method
            // and whatever waits for it hanging. Its remaining code runs on the thread pool instead.
            ThreadPool.UnsafeQueueUserWorkItem(static pair => pair.d(pair.state), (d, state), preferLocal: false);
        }
    }

    /// <summary>Runs the callback on the loop and waits for it; inline when already on the loop thread.</summary>
    public override void Send(SendOrPostCallback d, object? state)
    {
        if (EventLoop.RunningOrNull == _loop)
        {
            d(state);
            return;
        }
        using var done = new ManualResetEventSlim();
        Exception? error = null;
        _loop.CallSoonThreadsafe(() =>
        {
            try
            {
                d(state);
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                done.Set();
            }
        });
        done.Wait();
        if (error is not null) throw new AggregateException(error);
    }

    public override SynchronizationContext CreateCopy() => this;
}
