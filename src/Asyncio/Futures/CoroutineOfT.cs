using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// A lazy asynchronous computation with a result: the return type of <c>async Coroutine&lt;T&gt;</c>
/// methods. See <see cref="Coroutine"/>; it converts to one without allocating.
/// <para>asyncio: a coroutine object.</para>
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
[DebuggerDisplay("{ToString(),nq}")]
[AsyncMethodBuilder(typeof(CoroutineMethodBuilder<>))]
public readonly struct Coroutine<T> : IEquatable<Coroutine<T>>
{
    /// <summary>The frame: the state machine box, which becomes the task if the coroutine is wrapped in one.</summary>
    internal readonly AioTask<T>? _frame;

    internal Coroutine(AioTask<T> frame) => _frame = frame;

    /// <summary>The frame, or a clear error for <c>default(Coroutine&lt;T&gt;)</c>.</summary>
    internal AioTask<T> Frame => _frame ?? throw new ArgumentException("default(Coroutine<T>) is not a coroutine: call an async Coroutine<T> method to get one.");

    /// <summary>The method's name, for reprs and reports (asyncio: <c>__qualname__</c>).</summary>
    public string Name => Frame.CoroutineName;

    /// <summary>Closes the coroutine if nobody has taken it yet (asyncio: <c>coro.close()</c>).</summary>
    internal void CloseIfUnclaimed() => _frame?.CloseIfUnclaimed();

    /// <summary>True once the body returned or threw.</summary>
    public bool IsCompleted => Frame.CoroutineState == CoroutineState.Completed;

    /// <summary>Awaits the coroutine: runs it inline in the awaiting task and returns its result.</summary>
    public CoroutineAwaiter<T> GetAwaiter() => new(Frame);

    /// <summary>The same coroutine, seen without its result type (no allocation).</summary>
    public static implicit operator Coroutine(Coroutine<T> coroutine) => coroutine._frame is { } frame ? new Coroutine(frame) : default;

    /// <summary>
    /// A .NET task as a coroutine that awaits it and returns its result, so that it is accepted wherever a
    /// coroutine is (<c>Aio.Gather(client.GetStringAsync(url), Fetch())</c>). Cancelling the coroutine's task
    /// abandons the await.
    /// <para>asyncio: what <c>asyncio.wrap_future</c> does for a <c>concurrent.futures.Future</c>.</para>
    /// </summary>
    public static implicit operator Coroutine<T>(Task<T> task) => OperationCoroutines.Await(task ?? throw new ArgumentNullException(nameof(task)));

    /// <summary>A .NET value task as a coroutine that awaits it (once, as a value task must be) and returns its result.</summary>
    public static implicit operator Coroutine<T>(ValueTask<T> task) => OperationCoroutines.Await(task);

    /// <summary>True if both are the same coroutine.</summary>
    public bool Equals(Coroutine<T> other) => ReferenceEquals(_frame, other._frame);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Coroutine<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => RuntimeHelpers.GetHashCode(_frame);

    /// <summary>True if both are the same coroutine.</summary>
    public static bool operator ==(Coroutine<T> left, Coroutine<T> right) => left.Equals(right);

    /// <summary>True if they are different coroutines.</summary>
    public static bool operator !=(Coroutine<T> left, Coroutine<T> right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => _frame?.CoroutineRepr() ?? "<no coroutine>";
}

/// <summary>Awaiter of a <see cref="Coroutine{T}"/>.</summary>
/// <typeparam name="T">The result type.</typeparam>
public readonly struct CoroutineAwaiter<T> : ICriticalNotifyCompletion, ICoroutineAwaiter
{
    /// <summary>The awaited coroutine's frame; the only field, so the builder can read it in place.</summary>
    private readonly AioTask<T> _coroutine;

    internal CoroutineAwaiter(AioTask<T> coroutine) => _coroutine = coroutine;

    /// <summary>Claims the coroutine; always false, so that it starts inside the awaiting task.</summary>
    /// <exception cref="InvalidOperationException">The coroutine was awaited or scheduled before.</exception>
    public bool IsCompleted
    {
        get
        {
            _coroutine.Claim();
            return false;
        }
    }

    /// <summary>The coroutine's result, or its exception rethrown.</summary>
    public T GetResult() => _coroutine.FrameResult();

    /// <summary>Runs the coroutine inline for a foreign async method awaiting it inside a task.</summary>
    public void OnCompleted(Action continuation) => _coroutine.StartInline(continuation);

    /// <summary>Runs the coroutine inline for a foreign async method awaiting it inside a task.</summary>
    public void UnsafeOnCompleted(Action continuation) => _coroutine.StartInline(continuation);
}
