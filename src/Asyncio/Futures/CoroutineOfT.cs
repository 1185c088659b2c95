using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// A lazy asynchronous computation producing a <typeparamref name="T"/>: the return type of
/// <c>async Coroutine&lt;T&gt;</c> methods. See <see cref="Coroutine"/>.
/// <para>asyncio: a coroutine object.</para>
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
[AsyncMethodBuilder(typeof(CoroutineMethodBuilder<>))]
public abstract class Coroutine<T> : Coroutine
{
    /// <summary>The value the body returned.</summary>
    internal T _result = default!;

    private protected Coroutine() { }

    /// <summary>Completes with the value the body returned.</summary>
    internal void SetResult(T result)
    {
        _result = result;
        Complete();
    }

    /// <summary>The result, or the body's exception rethrown.</summary>
    internal T GetResult()
    {
        ThrowIfFailed();
        return _result;
    }

    /// <summary>Awaits the coroutine: runs it inline in the awaiting task and returns its result.</summary>
    public new CoroutineAwaiter<T> GetAwaiter() => new(this);

    /// <summary>
    /// A .NET task as a coroutine that awaits it and returns its result, so that it is accepted wherever a
    /// coroutine is (<c>Aio.Gather(client.GetStringAsync(url), Fetch())</c>). Cancelling the coroutine's task
    /// abandons the await.
    /// <para>asyncio: what <c>asyncio.wrap_future</c> does for a <c>concurrent.futures.Future</c>.</para>
    /// </summary>
    public static implicit operator Coroutine<T>(Task<T> task) => OperationCoroutines.Await(task ?? throw new ArgumentNullException(nameof(task)));

    /// <summary>A .NET value task as a coroutine that awaits it (once, as a value task must be) and returns its result.</summary>
    public static implicit operator Coroutine<T>(ValueTask<T> task) => OperationCoroutines.Await(task);

    /// <inheritdoc/>
    internal override AioTask CreateTaskOn(EventLoop loop, string? name) => new AioTask<T>(loop, this, name);

    /// <inheritdoc/>
    internal override Coroutine<VoidResult> AsVoid() => this as Coroutine<VoidResult> ?? DiscardResult(this);

    /// <summary>Runs <paramref name="coroutine"/> and drops its result.</summary>
    private static async Coroutine<VoidResult> DiscardResult(Coroutine<T> coroutine)
    {
        await coroutine;
        return default;
    }
}

/// <summary>Awaiter of a <see cref="Coroutine{T}"/>.</summary>
/// <typeparam name="T">The result type.</typeparam>
public readonly struct CoroutineAwaiter<T> : ICriticalNotifyCompletion, ICoroutineAwaiter
{
    /// <summary>The awaited coroutine; the only field, so the builder can read it in place.</summary>
    private readonly Coroutine<T> _coroutine;

    internal CoroutineAwaiter(Coroutine<T> coroutine) => _coroutine = coroutine;

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
    public T GetResult() => _coroutine.GetResult();

    /// <summary>Runs the coroutine inline for a foreign async method awaiting it inside a task.</summary>
    public void OnCompleted(Action continuation) => _coroutine.StartInline(continuation);

    /// <summary>Runs the coroutine inline for a foreign async method awaiting it inside a task.</summary>
    public void UnsafeOnCompleted(Action continuation) => _coroutine.StartInline(continuation);
}
