using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// What the waiting operations of queues and synchronization primitives return: a struct that is already
/// complete when the operation did not have to wait (no allocation), or that suspends the awaiting task on
/// the loop until it is done. Await it once, right away, as a <see cref="ValueTask{TResult}"/>.
/// <para>asyncio: the coroutine returned by <c>lock.acquire()</c>, <c>queue.get()</c> and the like.</para>
/// </summary>
/// <remarks>
/// Unlike an asyncio coroutine, the operation starts when the method is called, not when it is awaited
/// (as with any .NET method that returns a <see cref="ValueTask{TResult}"/>): an acquisition that need not
/// wait has happened by the time the method returns, and a waiting one is already in line. An awaitable
/// that is never awaited therefore holds its place in line for ever.
/// </remarks>
/// <typeparam name="T">The result of the operation.</typeparam>
public readonly struct LoopAwaitable<T>
{
    /// <summary>Null when complete; else the <see cref="Waiter"/> or the <see cref="Coroutine{T}"/> to wait for.</summary>
    internal readonly object? _source;

    /// <summary>The result when complete; for a <see cref="Waiter"/>, the result to return once it is resumed.</summary>
    internal readonly T _value;

    /// <summary>The <see cref="Waiter.Generation"/> of a waiter source: which of its waits this one is.</summary>
    private readonly int _generation;

    /// <summary>An awaitable already completed with <paramref name="value"/>.</summary>
    internal LoopAwaitable(T value)
    {
        _source = null;
        _value = value;
        _generation = 0;
    }

    /// <summary>An awaitable that waits for <paramref name="source"/> (a waiter or a coroutine).</summary>
    internal LoopAwaitable(object source, T valueOnResume)
    {
        Debug.Assert(source is Waiter || source is AioTask<T>);
        _source = source;
        _value = valueOnResume;
        _generation = (source as Waiter)?.Generation ?? 0;
    }

    /// <summary>True when the operation completed without waiting.</summary>
    public bool IsCompleted => _source is null;

    /// <summary>The awaiter.</summary>
    public LoopAwaiter<T> GetAwaiter() => new(_source, _value, _generation);

    /// <summary>
    /// The operation as a coroutine that awaits it, so that it is accepted wherever a coroutine is
    /// (<c>Aio.WaitFor(q.GetAsync(), 1.0)</c>, <c>Aio.CreateTask(ev.WaitAsync())</c>). The operation has started
    /// already; a task made from it and cancelled before it runs still withdraws a waiting operation cleanly and
    /// keeps the result of a completed one (an item taken from a queue is never dropped).
    /// <para>asyncio: <c>queue.get()</c>, <c>lock.acquire()</c>, <c>event.wait()</c> are coroutines.</para>
    /// </summary>
    public static implicit operator Coroutine<T>(LoopAwaitable<T> operation) => OperationCoroutines.Await(operation);
}

/// <summary>Awaiter of <see cref="LoopAwaitable{T}"/>.</summary>
/// <typeparam name="T">The result of the operation.</typeparam>
public readonly struct LoopAwaiter<T> : ICriticalNotifyCompletion, IPrimitiveAwaiter
{
    /// <summary>Null when complete; else the <see cref="Waiter"/> or the <see cref="Coroutine{T}"/>.</summary>
    private readonly object? _source;

    /// <summary>The result, when complete or once the waiter resumes.</summary>
    private readonly T _value;

    /// <summary>The <see cref="Waiter.Generation"/> the awaitable was made for.</summary>
    private readonly int _generation;

    internal LoopAwaiter(object? source, T value, int generation)
    {
        _source = source;
        _value = value;
        _generation = generation;
    }

    /// <summary>True when the awaiting task need not suspend.</summary>
    /// <exception cref="InvalidOperationException">A coroutine behind this awaitable was awaited before.</exception>
    public bool IsCompleted => PrimitiveSource.IsCompleted(_source, _generation);

    /// <inheritdoc/>
    object IPrimitiveAwaiter.Source => _source!;

    /// <summary>The result; throws <see cref="CancelledError"/> if the wait was cancelled.</summary>
    public T GetResult()
    {
        switch (_source)
        {
            case null:
                return _value;
            case Waiter waiter:
                waiter.Resume(_generation);
                T result = waiter.Owner is IWaiterResult<T> owner ? owner.TakeResult(waiter) : _value;
                waiter.Recycle();
                return result;
            default:
                Debug.Assert(_source is AioTask<T>);
                return Unsafe.As<AioTask<T>>(_source).FrameResult();
        }
    }

    /// <summary>For foreign async methods: runs <paramref name="continuation"/> on the loop when done.</summary>
    public void OnCompleted(Action continuation) => PrimitiveSource.OnCompleted(_source!, continuation);

    /// <summary>For foreign async methods: runs <paramref name="continuation"/> on the loop when done.</summary>
    public void UnsafeOnCompleted(Action continuation) => PrimitiveSource.OnCompleted(_source!, continuation);
}

/// <summary>The two kinds of source a primitive's awaiter waits for: a <see cref="Waiter"/> or a <see cref="Coroutine"/>.</summary>
internal static class PrimitiveSource
{
    /// <summary>
    /// Complete sources do not suspend; a coroutine is claimed and always runs inside the awaiting task. A waiter
    /// that has moved on to a later wait counts as complete, so that <c>GetResult</c> reports the second await.
    /// </summary>
    public static bool IsCompleted(object? source, int generation)
    {
        switch (source)
        {
            case null:
                return true;
            case AioTask coroutine:
                coroutine.Claim();
                return false;
            default:
                var waiter = (Waiter)source;
                return waiter.IsDone || waiter.Generation != generation;
        }
    }

    /// <summary>Resumes a foreign async method when the source is done.</summary>
    public static void OnCompleted(object source, Action continuation)
    {
        if (source is AioTask coroutine)
        {
            coroutine.StartInline(continuation);
            return;
        }
        var waiter = (Waiter)source;
        waiter.AwaitedByForeignCode();
        if (waiter.Owner is IWakeUpScreen && !waiter.IsDone)
        {
            waiter.ScreenWakeUps(continuation);
            waiter.Loop.CurrentTask?.WaitsInForeignMethod(waiter);
        }
        else
        {
            waiter.AddForeignContinuation(continuation);
        }
    }
}
