using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// A future with a result of type <typeparamref name="T"/>, completed from the outside with
/// <see cref="SetResult"/>, <see cref="SetException"/> or <see cref="Future.Cancel"/>.
/// <para>asyncio: <c>asyncio.Future</c> (made with <c>loop.create_future()</c>).</para>
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
public class Future<T> : Future
{
    /// <summary>The result, once finished with one.</summary>
    private T _result = default!;

    /// <summary>Creates a pending future bound to <paramref name="loop"/>; see also <see cref="EventLoop.CreateFuture{T}"/>.</summary>
    /// <param name="loop">The loop the future belongs to.</param>
    public Future(EventLoop loop) : base(loop ?? throw new ArgumentNullException(nameof(loop))) { }

    /// <summary>
    /// The result; throws the exception the future finished with, or <see cref="CancelledError"/>.
    /// <para>asyncio: <c>Future.result()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidStateError">The future is not done yet.</exception>
    /// <exception cref="CancelledError">The future was cancelled.</exception>
    public T Result()
    {
        ThrowIfFailed();
        return _result;
    }

    /// <summary>
    /// Marks the future done with <paramref name="result"/> and schedules its callbacks.
    /// <para>asyncio: <c>Future.set_result(result)</c>.</para>
    /// </summary>
    /// <exception cref="InvalidStateError">The future is already done.</exception>
    public void SetResult(T result)
    {
        _loop.CheckThread();
        if (IsDone) throw new InvalidStateError($"invalid state: {this} is already done");
        _result = result;
        TrySetResultCore();
    }

    /// <summary>
    /// Marks the future done with <paramref name="exception"/> and schedules its callbacks.
    /// <para>asyncio: <c>Future.set_exception(exception)</c>.</para>
    /// </summary>
    /// <exception cref="InvalidStateError">The future is already done.</exception>
    public void SetException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        _loop.CheckThread();
        if (IsDone) throw new InvalidStateError($"invalid state: {this} is already done");
        TrySetExceptionCore(exception);
    }

    /// <summary>Sets the result unless the future is already done (asyncio's <c>_set_result_unless_cancelled</c>).</summary>
    internal bool TrySetResult(T result)
    {
        if (IsDone) return false;
        _result = result;
        return TrySetResultCore();
    }

    /// <summary>Awaits the future and returns its result.</summary>
    public new FutureAwaiter<T> GetAwaiter() => new(this);

    /// <inheritdoc/>
    private protected override string OutcomeText() =>
        State == FutureState.Finished && _outcome is null ? $" result={PyRepr.Value(_result)}" : base.OutcomeText();
}

/// <summary>Awaiter of a <see cref="Future{T}"/>: suspends until done, then returns the result.</summary>
/// <typeparam name="T">The result type.</typeparam>
public readonly struct FutureAwaiter<T> : ICriticalNotifyCompletion, IFutureAwaiter
{
    /// <summary>The awaited future; the only field, so the builder can read it in place.</summary>
    private readonly Future<T> _future;

    internal FutureAwaiter(Future<T> future) => _future = future;

    /// <summary>True when the future is done (awaiting it then does not suspend).</summary>
    public bool IsCompleted => _future.IsDone;

    /// <summary>The result, or the future's exception or cancellation thrown.</summary>
    public T GetResult()
    {
        _future._loop.ThrowIfResumeInterrupted();
        return _future.Result();
    }

    /// <summary>Schedules <paramref name="continuation"/> on the loop when the future is done.</summary>
    public void OnCompleted(Action continuation) => _future.AddForeignContinuation(continuation);

    /// <summary>Schedules <paramref name="continuation"/> on the loop when the future is done.</summary>
    public void UnsafeOnCompleted(Action continuation) => OnCompleted(continuation);
}
