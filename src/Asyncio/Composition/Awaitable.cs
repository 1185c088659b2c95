namespace Asyncio;

/// <summary>
/// Anything a composition function accepts: a <see cref="Coroutine{T}"/>, an <see cref="AioTask{T}"/>, a
/// <see cref="Future{T}"/> or a .NET <see cref="Task{T}"/>, converted implicitly. Awaiting it awaits the
/// underlying object (a coroutine runs inline, as <c>await coro</c> does).
/// <para>asyncio: an "awaitable" argument (what <c>ensure_future</c> accepts).</para>
/// </summary>
/// <remarks>
/// C# infers no type argument through a user-defined conversion, so the facade has typed overloads for each
/// source kind; this struct is for mixed arguments (<c>Aio.Gather&lt;int&gt;(coroutine, task)</c>).
/// </remarks>
/// <typeparam name="T">The result type.</typeparam>
public readonly struct Awaitable<T>
{
    /// <summary>
    /// The wrapped <see cref="Future"/> or <see cref="Task{T}"/>, or the frame of the wrapped <see cref="Coroutine{T}"/>
    /// (an <see cref="AioTask{T}"/> not a task yet: <see cref="_isCoroutine"/> tells them apart).
    /// </summary>
    private readonly object _source;

    /// <summary>True when <see cref="_source"/> is a coroutine's frame.</summary>
    private readonly bool _isCoroutine;

    private Awaitable(object source) => _source = source ?? throw new ArgumentNullException(nameof(source));

    private Awaitable(Coroutine<T> coroutine)
    {
        _source = coroutine.Frame;
        _isCoroutine = true;
    }

    /// <summary>Wraps a coroutine (it becomes a task when a composition function needs a future).</summary>
    public static implicit operator Awaitable<T>(Coroutine<T> coroutine) => new(coroutine);

    /// <summary>Wraps a task.</summary>
    public static implicit operator Awaitable<T>(AioTask<T> task) => new(task);

    /// <summary>Wraps a future.</summary>
    public static implicit operator Awaitable<T>(Future<T> future) => new(future);

    /// <summary>Wraps a .NET task (as <c>asyncio.wrap_future</c> does when a loop future is needed).</summary>
    public static implicit operator Awaitable<T>(Task<T> task) => new(task);

    /// <summary>Wraps a queue or primitive operation (as a coroutine that awaits it).</summary>
    public static implicit operator Awaitable<T>(LoopAwaitable<T> operation) => new((Coroutine<T>)operation);

    /// <summary>Wraps a .NET value task (as a coroutine that awaits it once).</summary>
    public static implicit operator Awaitable<T>(ValueTask<T> task) => new((Coroutine<T>)task);

    /// <summary>Wraps a done or pending loop future of any kind producing a <typeparamref name="T"/>.</summary>
    internal static Awaitable<T> FromFuture(Future future) => new(future);

    /// <summary>The future or task this awaitable wraps, or null for a coroutine or a .NET task.</summary>
    public Future? Future => _isCoroutine ? null : _source as Future;

    /// <summary>The wrapped object, for de-duplication by reference.</summary>
    internal object Source => _source ?? throw new InvalidOperationException("default(Awaitable<T>) wraps nothing");

    /// <summary>
    /// The loop future for this awaitable: the future itself, a new task for a coroutine, a wrapped future for a
    /// .NET task (asyncio's <c>ensure_future</c>).
    /// </summary>
    internal Future ToFuture(EventLoop loop) => _isCoroutine ? loop.CreateTask(new Coroutine<T>((AioTask<T>)Source)) : Source switch
    {
        Future future => future,
        Task<T> task => Aio.WrapFuture(task, loop),
        _ => throw new InvalidOperationException("unreachable"),
    };

    /// <summary>The loop of a wrapped future, or null.</summary>
    internal EventLoop? LoopOrNull => Future?.Loop;

    /// <summary>Awaits the wrapped object and returns its result.</summary>
    public CoroutineAwaiter<T> GetAwaiter() =>
        _isCoroutine ? new Coroutine<T>((AioTask<T>)Source).GetAwaiter() : AwaitSource(Source).GetAwaiter();

    private static async Coroutine<T> AwaitSource(object source)
    {
        switch (source)
        {
            case AioTask<T> task: return await task;
            case Future<T> future: return await future;
            default: return await Aio.WrapFuture((Task<T>)source, Aio.GetRunningLoop());
        }
    }

    /// <summary>The result of a done future or task of type <typeparamref name="T"/>; throws its exception or cancellation.</summary>
    internal static T ResultOf(Future future) => future switch
    {
        AioTask<T> task => task.Result(),
        Future<T> typed => typed.Result(),
        _ => throw new ArgumentException($"{future} does not produce a {typeof(T).Name}", nameof(future)),
    };
}
