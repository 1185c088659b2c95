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
        if (_loop.IsLoopThread)
        {
            // Posted by the loop's own thread (an await that completed there, outside this context): a plain call
            // soon, with no trip through the inbox and its lock. The callback carries its own execution context.
            _loop.EnqueueReady(s_invokePosted, d, state);
            return;
        }
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

    private static readonly Action<object?, object?> s_invokePosted = static (d, state) => ((SendOrPostCallback)d!)(state);

    /// <summary>Runs the callback on the loop and waits for it; inline when already on the loop thread.</summary>
    public override void Send(SendOrPostCallback d, object? state)
    {
        if (_loop.IsLoopThread)
        {
            d(state);
            return;
        }
        using var request = new SendRequest(d, state);
        _loop.CallSoonThreadsafe(static r => r.Run(), request);
        request.Wait();
    }

    /// <summary>A <see cref="Send"/> call: the caller blocks until the loop ran it, or closed without running it.</summary>
    private sealed class SendRequest : IDroppedAtClose, IDisposable
    {
        private readonly SendOrPostCallback _callback;
        private readonly object? _state;
        private readonly ManualResetEventSlim _done = new();
        private Exception? _error;

        public SendRequest(SendOrPostCallback callback, object? state)
        {
            _callback = callback;
            _state = state;
        }

        public void Run()
        {
            try
            {
                _callback(_state);
            }
            catch (Exception e)
            {
                _error = e;
            }
            finally
            {
                _done.Set();
            }
        }

        public void OnDroppedAtClose()
        {
            _error = new InvalidOperationException("Event loop is closed");
            _done.Set();
        }

        public void Wait()
        {
            _done.Wait();
            if (_error is not null) throw new AggregateException(_error);
        }

        public void Dispose() => _done.Dispose();
    }

    public override SynchronizationContext CreateCopy() => this;
}
