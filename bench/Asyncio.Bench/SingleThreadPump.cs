using System.Diagnostics;

namespace Asyncio.Bench;

/// <summary>
/// The <see cref="Runtimes.SingleThread"/> baseline: a <see cref="SynchronizationContext"/> whose posts are
/// all run by one thread, in order. Plain <c>async Task</c> code run under it behaves like code on an
/// event loop (every continuation on one thread), without any of this library.
/// </summary>
/// <remarks>
/// Posts go to a queue under one lock; the pump swaps the whole queue out and runs it outside the lock,
/// so a burst of posts costs one lock round-trip each and the pump takes the lock once per batch.
/// </remarks>
[DebuggerDisplay("Pending = {_pending.Count}")]
public sealed class SingleThreadPump : SynchronizationContext
{
    /// <summary>Guards <see cref="_pending"/>, <see cref="_finished"/> and <see cref="_sleeping"/>.</summary>
    private readonly object _gate = new();

    /// <summary>Posts not yet taken by the pump.</summary>
    private Queue<(SendOrPostCallback Callback, object? State)> _pending = new();

    /// <summary>The batch being run; swapped with <see cref="_pending"/> so neither is reallocated.</summary>
    private Queue<(SendOrPostCallback Callback, object? State)> _running = new();

    /// <summary>Set when the body's task completed: the pump returns once its queue is empty.</summary>
    private bool _finished;

    /// <summary>True while the pump waits for a post, so posters only pulse when someone listens.</summary>
    private bool _sleeping;

    /// <summary>Queues <paramref name="d"/> to run on the pump's thread.</summary>
    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (_gate)
        {
            _pending.Enqueue((d, state));
            if (_sleeping) Monitor.Pulse(_gate);
        }
    }

    /// <summary>Not supported: nothing in the baselines needs a synchronous send.</summary>
    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

    /// <summary>The pump is its own copy: there is one queue.</summary>
    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs <paramref name="body"/> on the calling thread with the pump installed, until its task completes.</summary>
    public static T Run<T>(Func<Task<T>> body)
    {
        SynchronizationContext? previous = Current;
        var pump = new SingleThreadPump();
        SetSynchronizationContext(pump);
        try
        {
            Task<T> task = body();
            // The completion is observed from a pool thread: the pump itself may be asleep at that moment.
            task.ContinueWith(static (_, p) => ((SingleThreadPump)p!).Finish(), pump, TaskScheduler.Default);
            pump.Pump();
            return task.GetAwaiter().GetResult();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    private void Finish()
    {
        lock (_gate)
        {
            _finished = true;
            if (_sleeping) Monitor.Pulse(_gate);
        }
    }

    private void Pump()
    {
        while (true)
        {
            lock (_gate)
            {
                while (_pending.Count == 0)
                {
                    if (_finished) return;
                    _sleeping = true;
                    Monitor.Wait(_gate);
                    _sleeping = false;
                }
                (_pending, _running) = (_running, _pending);
            }
            while (_running.TryDequeue(out var item)) item.Callback(item.State);
        }
    }
}
