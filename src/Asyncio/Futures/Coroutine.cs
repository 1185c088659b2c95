using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// A lazy asynchronous computation: the return type of <c>async Coroutine</c> methods. Calling the method
/// runs nothing; the body starts when the coroutine is awaited (inline, in the awaiting task) or wrapped in
/// a task with <see cref="Aio.CreateTask(Coroutine, string?)"/>. A coroutine can be awaited only once.
/// <para>asyncio: a coroutine object (what calling an <c>async def</c> returns).</para>
/// </summary>
/// <remarks>
/// A struct around the one object a call makes: the compiler's state machine box, which is also the task the
/// coroutine becomes if it is wrapped in one (see <see cref="CoroutineMethodBuilder{T}"/>), so a task costs one
/// allocation. Awaiting one coroutine from another runs it in the same task with no trip through the loop; the
/// task's step loop resumes the child and then the parent without growing the stack
/// (<see cref="EventLoop.RunCoroutines"/>). <c>default(Coroutine)</c> is no coroutine: using it throws.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
[AsyncMethodBuilder(typeof(CoroutineMethodBuilder))]
public readonly struct Coroutine : IEquatable<Coroutine>
{
    /// <summary>The frame: the state machine box, which becomes the task if the coroutine is wrapped in one.</summary>
    internal readonly AioTask? _frame;

    internal Coroutine(AioTask frame) => _frame = frame;

    /// <summary>The frame, or a clear error for <c>default(Coroutine)</c>.</summary>
    internal AioTask Frame => _frame ?? throw new ArgumentException("default(Coroutine) is not a coroutine: call an async Coroutine method to get one.");

    /// <summary>The method's name, for reprs and reports (asyncio: <c>__qualname__</c>).</summary>
    public string Name => Frame.CoroutineName;

    /// <summary>This coroutine as one without a result, for APIs that take any coroutine.</summary>
    internal Coroutine<VoidResult> AsVoid() => Frame.AsVoid();

    /// <summary>Closes the coroutine if nobody has taken it yet (asyncio: <c>coro.close()</c>).</summary>
    internal void CloseIfUnclaimed() => _frame?.CloseIfUnclaimed();

    /// <summary>True once the body returned or threw (asyncio: <c>cr_frame is None</c> after running).</summary>
    public bool IsCompleted => Frame.CoroutineState == CoroutineState.Completed;

    /// <summary>Awaits the coroutine: runs it inline in the awaiting task.</summary>
    public CoroutineAwaiter GetAwaiter() => new(Frame);

    /// <summary>
    /// A .NET task as a coroutine that awaits it, so that it is accepted wherever a coroutine is
    /// (<c>Aio.CreateTask(stream.FlushAsync())</c>). Cancelling the coroutine's task abandons the await.
    /// <para>asyncio: what <c>asyncio.wrap_future</c> does for a <c>concurrent.futures.Future</c>.</para>
    /// </summary>
    public static implicit operator Coroutine(Task task) => OperationCoroutines.Await(task ?? throw new ArgumentNullException(nameof(task)));

    /// <summary>A .NET value task as a coroutine that awaits it (once, as a value task must be).</summary>
    public static implicit operator Coroutine(ValueTask task) => OperationCoroutines.Await(task);

    /// <summary>True if both are the same coroutine.</summary>
    public bool Equals(Coroutine other) => ReferenceEquals(_frame, other._frame);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Coroutine other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => RuntimeHelpers.GetHashCode(_frame);

    /// <summary>True if both are the same coroutine.</summary>
    public static bool operator ==(Coroutine left, Coroutine right) => left.Equals(right);

    /// <summary>True if they are different coroutines.</summary>
    public static bool operator !=(Coroutine left, Coroutine right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => _frame?.CoroutineRepr() ?? "<no coroutine>";
}

/// <summary>Awaiter of a <see cref="Coroutine"/>.</summary>
public readonly struct CoroutineAwaiter : ICriticalNotifyCompletion, ICoroutineAwaiter
{
    /// <summary>The awaited coroutine's frame; the only field, so the builder can read it in place.</summary>
    private readonly AioTask _coroutine;

    internal CoroutineAwaiter(AioTask coroutine) => _coroutine = coroutine;

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

    /// <summary>Rethrows the coroutine's exception, if any.</summary>
    public void GetResult() => _coroutine.RethrowFrameError();

    /// <summary>Runs the coroutine inline for a foreign async method awaiting it inside a task.</summary>
    public void OnCompleted(Action continuation) => _coroutine.StartInline(continuation);

    /// <summary>Runs the coroutine inline for a foreign async method awaiting it inside a task.</summary>
    public void UnsafeOnCompleted(Action continuation) => _coroutine.StartInline(continuation);
}

/// <summary>Marks awaiters whose single field is a coroutine's frame (an <see cref="AioTask"/>).</summary>
internal interface ICoroutineAwaiter { }

/// <summary>
/// Awaiters of queues and primitives (<see cref="LoopAwaiter{T}"/>, <see cref="LoopAwaiter"/>): when not
/// completed, they wait for the loop future or the coroutine frame that <see cref="Source"/> returns.
/// </summary>
internal interface IPrimitiveAwaiter
{
    /// <summary>The <see cref="Waiter"/> or coroutine frame (<see cref="AioTask"/>) to suspend on (only asked when not completed).</summary>
    object Source { get; }
}
