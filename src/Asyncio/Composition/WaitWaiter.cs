namespace Asyncio;

/// <summary>
/// The listener <see cref="Aio.Wait{TFuture}(IEnumerable{TFuture}, double?, ReturnWhen)"/> puts on every future:
/// counts completions and releases the waiting coroutine when the <see cref="ReturnWhen"/> condition holds or
/// the timeout elapses.
/// <para>asyncio: <c>tasks._wait</c>'s <c>_on_completion</c> and <c>_release_waiter</c>.</para>
/// </summary>
internal sealed class WaitWaiter : IFutureListener
{
    /// <summary>Completed (with true) to wake the waiting coroutine.</summary>
    public readonly Future<bool> Released;

    private readonly ReturnWhen _returnWhen;

    /// <summary>Futures whose completion has not been seen yet.</summary>
    private int _remaining;

    /// <summary>The timeout's timer, cancelled once released.</summary>
    public TimerHandle? Timer;

    public WaitWaiter(EventLoop loop, int count, ReturnWhen returnWhen)
    {
        Released = loop.CreateFuture<bool>();
        _remaining = count;
        _returnWhen = returnWhen;
    }

    public void OnFutureDone(Future future)
    {
        _remaining--;
        if (_remaining <= 0
            || _returnWhen == ReturnWhen.FirstCompleted
            || (_returnWhen == ReturnWhen.FirstException && !future.IsCancelled && future.Exception() is not null))
        {
            Timer?.Cancel();
            Released.TrySetResult(true);
        }
    }

    /// <summary>Timer callback: the timeout elapsed.</summary>
    public static void Release(WaitWaiter waiter) => waiter.Released.TrySetResult(true);
}
