using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// A <see cref="LoopAwaitable{T}"/> without a result: what <c>PutAsync</c> and <c>JoinAsync</c> return.
/// Already complete when the operation did not have to wait; await it once, right away.
/// <para>asyncio: the coroutine returned by <c>queue.put()</c>, <c>queue.join()</c>.</para>
/// </summary>
public readonly struct LoopAwaitable
{
    /// <summary>Null when complete; else the <see cref="Waiter"/> or the <see cref="Coroutine"/> to wait for.</summary>
    internal readonly object? _source;

    /// <summary>The <see cref="Waiter.Generation"/> of a waiter source: which of its waits this one is.</summary>
    private readonly int _generation;

    /// <summary>An awaitable that waits for <paramref name="source"/>; null means complete.</summary>
    internal LoopAwaitable(object? source)
    {
        Debug.Assert(source is null || source is Waiter || source is AioTask);
        _source = source;
        _generation = (source as Waiter)?.Generation ?? 0;
    }

    /// <summary>An awaitable that runs <paramref name="coroutine"/> inside the awaiting task.</summary>
    internal LoopAwaitable(Coroutine coroutine) : this(coroutine.Frame) { }

    /// <summary>An awaitable already complete.</summary>
    internal static LoopAwaitable Completed => default;

    /// <summary>True when the operation completed without waiting.</summary>
    public bool IsCompleted => _source is null;

    /// <summary>The awaiter.</summary>
    public LoopAwaiter GetAwaiter() => new(_source, _generation);

    /// <summary>
    /// The operation as a coroutine that awaits it, so that it is accepted wherever a coroutine is
    /// (<c>Aio.WaitFor(q.JoinAsync(), 1.0)</c>). The operation has started already; a task made from it and
    /// cancelled before it runs still withdraws a waiting operation cleanly.
    /// <para>asyncio: <c>queue.put()</c> and <c>queue.join()</c> are coroutines.</para>
    /// </summary>
    public static implicit operator Coroutine(LoopAwaitable operation) => OperationCoroutines.Await(operation);
}

/// <summary>Awaiter of <see cref="LoopAwaitable"/>.</summary>
public readonly struct LoopAwaiter : ICriticalNotifyCompletion, IPrimitiveAwaiter
{
    /// <summary>Null when complete; else the <see cref="Waiter"/> or the <see cref="Coroutine"/>.</summary>
    private readonly object? _source;

    /// <summary>The <see cref="Waiter.Generation"/> the awaitable was made for.</summary>
    private readonly int _generation;

    internal LoopAwaiter(object? source, int generation)
    {
        _source = source;
        _generation = generation;
    }

    /// <summary>True when the awaiting task need not suspend.</summary>
    /// <exception cref="InvalidOperationException">A coroutine behind this awaitable was awaited before.</exception>
    public bool IsCompleted => PrimitiveSource.IsCompleted(_source, _generation);

    /// <inheritdoc/>
    object IPrimitiveAwaiter.Source => _source!;

    /// <summary>Returns, or throws <see cref="CancelledError"/> if the wait was cancelled.</summary>
    public void GetResult()
    {
        switch (_source)
        {
            case null:
                return;
            case Waiter waiter:
                waiter.Resume(_generation);
                waiter.Recycle();
                return;
            default:
                Debug.Assert(_source is AioTask);
                Unsafe.As<AioTask>(_source).RethrowFrameError();
                return;
        }
    }

    /// <summary>For foreign async methods: runs <paramref name="continuation"/> on the loop when done.</summary>
    public void OnCompleted(Action continuation) => PrimitiveSource.OnCompleted(_source!, continuation);

    /// <summary>For foreign async methods: runs <paramref name="continuation"/> on the loop when done.</summary>
    public void UnsafeOnCompleted(Action continuation) => PrimitiveSource.OnCompleted(_source!, continuation);
}
