using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>Awaiter of a <see cref="Future"/>: suspends until done, then rethrows its exception.</summary>
public readonly struct FutureAwaiter : ICriticalNotifyCompletion, IFutureAwaiter
{
    /// <summary>The awaited future; the only field, so the builder can read it in place.</summary>
    private readonly Future _future;

    internal FutureAwaiter(Future future) => _future = future;

    /// <summary>True when the future is done (awaiting it then does not suspend).</summary>
    public bool IsCompleted => _future.IsDone;

    /// <summary>Throws the future's exception or cancellation, if any.</summary>
    public void GetResult()
    {
        _future._loop.ThrowIfResumeInterrupted();
        _future.ThrowIfFailed();
    }

    /// <summary>Schedules <paramref name="continuation"/> on the loop when the future is done.</summary>
    public void OnCompleted(Action continuation) => _future.AddForeignContinuation(continuation);

    /// <summary>Schedules <paramref name="continuation"/> on the loop when the future is done.</summary>
    public void UnsafeOnCompleted(Action continuation) => OnCompleted(continuation);
}

/// <summary>Runs a foreign continuation (an <c>async Task</c> method awaiting a future) on the loop.</summary>
internal sealed class ContinuationListener : IFutureListener
{
    private readonly Action _continuation;

    public ContinuationListener(Action continuation) => _continuation = continuation;

    public void OnFutureDone(Future future) => _continuation();
}

/// <summary>Marks awaiters whose single field is a <see cref="Future"/>.</summary>
internal interface IFutureAwaiter { }
