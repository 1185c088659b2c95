using System.Reflection;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// A coroutine parked at a foreign await (a .NET <see cref="Task"/>, <see cref="ValueTask"/> or any other
/// awaiter the loop cannot see into): the task's waiter while the await lasts.
/// </summary>
/// <remarks>
/// <para>asyncio wraps a foreign future in a loop future (<c>wrap_future</c>), and cancelling the task cancels
/// that wrapper at once, whatever the foreign operation does. This is the same idea without a wrapper: a
/// cancellation <em>abandons</em> the await. The coroutine resumes at once with <see cref="CancelledError"/>
/// thrown at that await; the operation runs on unwatched, and when it ends its outcome is consumed here
/// (its exception observed, a pooled <see cref="ValueTask"/> source released) and dropped.</para>
/// <para>Throwing at the await needs the awaiter that the compiler stored in the state machine to throw from
/// its <c>GetResult</c>: it is replaced by a faulted awaiter of the same type. That is possible for the
/// awaiters of <see cref="Task"/>, <see cref="Task{TResult}"/>, <see cref="ValueTask"/>,
/// <see cref="ValueTask{TResult}"/> and their <c>ConfigureAwait</c> forms (<see cref="InterruptibleAwaiter{T}"/>);
/// any other awaiter (<c>Task.Yield()</c>, a custom one) cannot be interrupted, and a cancellation requested
/// meanwhile is delivered at the coroutine's next loop await.</para>
/// <para>State changes race between the loop thread (abandon) and the thread that completes the operation
/// (complete); one compare-and-swap decides which of the two happened first.</para>
/// </remarks>
internal abstract class ForeignAwait
{
    private const int Waiting = 0;
    private const int Completed = 1;
    private const int Abandoned = 2;

    /// <summary>Ready-queue invoker of the step that resumes the coroutine (after completion or abandonment).</summary>
    internal static readonly Action<object?, object?> s_resume = static (foreign, _) =>
    {
        var await = (ForeignAwait)foreign!;
        await.Coroutine.Owner.ResumeFromForeignAwait(await);
    };

    /// <summary>The suspended coroutine's frame.</summary>
    internal readonly AioTask Coroutine;

    /// <summary><see cref="Waiting"/>, <see cref="Completed"/> or <see cref="Abandoned"/>; changed by compare-and-swap.</summary>
    private int _state;

    /// <summary>The message of the cancellation that abandoned the await.</summary>
    internal string? CancelMessage { get; private set; }

    private protected ForeignAwait(AioTask coroutine) => Coroutine = coroutine;

    /// <summary>True once a cancellation gave up on the operation.</summary>
    internal bool IsAbandoned => Volatile.Read(ref _state) == Abandoned;

    /// <summary>True if a cancellation can be thrown at this await (the awaiter is one of the known kinds).</summary>
    internal abstract bool IsInterruptible { get; }

    /// <summary>The awaiter's continuation, on whatever thread completes the operation.</summary>
    internal void OnCompleted()
    {
        if (Interlocked.CompareExchange(ref _state, Completed, Waiting) == Waiting)
        {
            Coroutine.Owner._loop.PostForeignCompletion(s_resume, this, null);
        }
        else
        {
            // Abandoned: nobody will read the outcome, so consume it here, on the completing thread.
            ConsumeOutcome();
        }
    }

    /// <summary>
    /// Gives up on an operation that has not completed yet (loop thread). The caller then schedules the resume
    /// step, which throws <see cref="CancelledError"/> at the await.
    /// </summary>
    /// <returns>False if the awaiter cannot be interrupted or the operation already completed.</returns>
    internal bool TryAbandon(string? message)
    {
        if (!IsInterruptible) return false;
        CancelMessage = message;
        if (Interlocked.CompareExchange(ref _state, Abandoned, Waiting) != Waiting) return false;
        Coroutine.Owner._loop.ForeignAwaitAbandoned();
        return true;
    }

    /// <summary>Reads and drops the operation's outcome: observes its exception, releases pooled sources.</summary>
    internal abstract void ConsumeOutcome();

    /// <summary>Makes the await throw <paramref name="error"/> when the coroutine resumes.</summary>
    internal abstract void ThrowAtAwait(Exception error);
}

/// <summary>A foreign await on an awaiter of type <typeparamref name="TAwaiter"/>.</summary>
/// <typeparam name="TAwaiter">The awaiter type, as the compiler stored it in the state machine.</typeparam>
internal sealed class ForeignAwait<TAwaiter> : ForeignAwait
    where TAwaiter : INotifyCompletion
{
    /// <summary>A copy of the awaiter, to consume the outcome of an abandoned operation.</summary>
    private readonly TAwaiter _awaiter;

    internal ForeignAwait(AioTask coroutine, in TAwaiter awaiter) : base(coroutine) => _awaiter = awaiter;

    /// <inheritdoc/>
    internal override bool IsInterruptible =>
        InterruptibleAwaiter<TAwaiter>.Faulted is not null
        && !InterruptibleAwaiter<TAwaiter>.IsAsyncIteratorStep(_awaiter)
        && Coroutine.CanReplaceAwaiter<TAwaiter>();

    /// <inheritdoc/>
    internal override void ConsumeOutcome()
    {
        try
        {
            InterruptibleAwaiter<TAwaiter>.GetResult!(_awaiter);
        }
        catch (Exception)
        {
            // Dropped on purpose: the await was cancelled, and reading the exception marks it observed.
        }
    }

    /// <inheritdoc/>
    internal override void ThrowAtAwait(Exception error) =>
        Coroutine.ReplaceAwaiter(InterruptibleAwaiter<TAwaiter>.Faulted!(error));
}

/// <summary>
/// For the awaiter types a cancellation can interrupt: how to make one that throws, and how to read one's
/// outcome. Null for every other type. Built once per type, by reflection for the generic ones.
/// </summary>
/// <typeparam name="TAwaiter">The awaiter type.</typeparam>
internal static class InterruptibleAwaiter<TAwaiter>
{
    /// <summary>Makes an awaiter whose <c>GetResult</c> throws the given exception.</summary>
    public static readonly Func<Exception, TAwaiter>? Faulted;

    /// <summary>Calls the awaiter's <c>GetResult</c>.</summary>
    public static readonly Action<TAwaiter>? GetResult;

    /// <summary>For the awaiters of value tasks: the value task's source object (a task or an <c>IValueTaskSource</c>).</summary>
    private static readonly Func<TAwaiter, object?>? s_valueTaskSource;

    /// <summary>
    /// True for a step of an async iterator (<c>MoveNextAsync</c>, <c>DisposeAsync</c>): its value task's source
    /// is the iterator itself. Such an await is not abandoned, because <c>await foreach</c> then disposes the
    /// iterator while it still runs, which throws and would replace the <see cref="CancelledError"/>. The
    /// iterator stops through the task's token instead (<c>WithCancellation</c>), and its
    /// <see cref="OperationCanceledException"/> counts as the task's cancellation.
    /// </summary>
    public static bool IsAsyncIteratorStep(TAwaiter awaiter) => s_valueTaskSource?.Invoke(awaiter) is IAsyncDisposable;

    static InterruptibleAwaiter()
    {
        Type type = typeof(TAwaiter);
        Type? holder = KnownAwaiters.ResultLess.Contains(type) ? typeof(KnownAwaiters)
            : type.IsGenericType && KnownAwaiters.WithResult.Contains(type.GetGenericTypeDefinition())
                ? typeof(KnownAwaiters<>).MakeGenericType(type.GetGenericArguments())
                : null;
        if (holder is null) return;
        // The value task inside the awaiter, and its source object, are private fields of the runtime's types:
        // read by name, and simply not checked where a runtime names them differently.
        FieldInfo? valueTask = type.GetField("_value", BindingFlags.Instance | BindingFlags.NonPublic);
        FieldInfo? source = valueTask?.FieldType.GetField("_obj", BindingFlags.Instance | BindingFlags.NonPublic);
        if (valueTask is not null && source is not null)
        {
            s_valueTaskSource = awaiter => source.GetValue(valueTask.GetValue(awaiter));
        }
        Faulted = FindMethod(holder, "Faulted", m => m.ReturnType).CreateDelegate<Func<Exception, TAwaiter>>();
        GetResult = FindMethod(holder, "GetResult", m => m.GetParameters()[0].ParameterType).CreateDelegate<Action<TAwaiter>>();
    }

    /// <summary>The method of <paramref name="holder"/> named <paramref name="prefix"/>... that deals in <typeparamref name="TAwaiter"/>.</summary>
    private static MethodInfo FindMethod(Type holder, string prefix, Func<MethodInfo, Type> dealsIn)
    {
        foreach (MethodInfo method in holder.GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.Name.StartsWith(prefix, StringComparison.Ordinal) && dealsIn(method) == typeof(TAwaiter)) return method;
        }
        throw new MissingMethodException(holder.Name, prefix);
    }
}

/// <summary>Faulted awaiters and result readers for the result-less awaiters of tasks and value tasks.</summary>
internal static class KnownAwaiters
{
    /// <summary>The result-less awaiter types handled here.</summary>
    public static readonly HashSet<Type> ResultLess = new()
    {
        typeof(TaskAwaiter), typeof(ConfiguredTaskAwaitable.ConfiguredTaskAwaiter),
        typeof(ValueTaskAwaiter), typeof(ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter),
    };

    /// <summary>The generic definitions of the awaiter types with a result handled by <see cref="KnownAwaiters{T}"/>.</summary>
    public static readonly HashSet<Type> WithResult = new()
    {
        typeof(TaskAwaiter<>), typeof(ConfiguredTaskAwaitable<>.ConfiguredTaskAwaiter),
        typeof(ValueTaskAwaiter<>), typeof(ConfiguredValueTaskAwaitable<>.ConfiguredValueTaskAwaiter),
    };

    public static TaskAwaiter Faulted(Exception e) => Task.FromException(e).GetAwaiter();
    public static void GetResult(TaskAwaiter awaiter) => awaiter.GetResult();

    // ConfigureAwait(false): a faulted task completes nothing, so the context flag is irrelevant; what matters
    // is that GetResult throws (a ConfigureAwaitOptions.SuppressThrowing awaiter would not).
    public static ConfiguredTaskAwaitable.ConfiguredTaskAwaiter FaultedConfigured(Exception e) =>
        Task.FromException(e).ConfigureAwait(false).GetAwaiter();
    public static void GetResult(ConfiguredTaskAwaitable.ConfiguredTaskAwaiter awaiter) => awaiter.GetResult();

    public static ValueTaskAwaiter FaultedValue(Exception e) => new ValueTask(Task.FromException(e)).GetAwaiter();
    public static void GetResult(ValueTaskAwaiter awaiter) => awaiter.GetResult();

    public static ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter FaultedConfiguredValue(Exception e) =>
        new ValueTask(Task.FromException(e)).ConfigureAwait(false).GetAwaiter();
    public static void GetResult(ConfiguredValueTaskAwaitable.ConfiguredValueTaskAwaiter awaiter) => awaiter.GetResult();
}

/// <summary>Faulted awaiters and result readers for the awaiters of tasks and value tasks of <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The result type.</typeparam>
internal static class KnownAwaiters<T>
{
    public static TaskAwaiter<T> Faulted(Exception e) => Task.FromException<T>(e).GetAwaiter();
    public static void GetResult(TaskAwaiter<T> awaiter) => awaiter.GetResult();

    public static ConfiguredTaskAwaitable<T>.ConfiguredTaskAwaiter FaultedConfigured(Exception e) =>
        Task.FromException<T>(e).ConfigureAwait(false).GetAwaiter();
    public static void GetResult(ConfiguredTaskAwaitable<T>.ConfiguredTaskAwaiter awaiter) => awaiter.GetResult();

    public static ValueTaskAwaiter<T> FaultedValue(Exception e) => new ValueTask<T>(Task.FromException<T>(e)).GetAwaiter();
    public static void GetResult(ValueTaskAwaiter<T> awaiter) => awaiter.GetResult();

    public static ConfiguredValueTaskAwaitable<T>.ConfiguredValueTaskAwaiter FaultedConfiguredValue(Exception e) =>
        new ValueTask<T>(Task.FromException<T>(e)).ConfigureAwait(false).GetAwaiter();
    public static void GetResult(ConfiguredValueTaskAwaitable<T>.ConfiguredValueTaskAwaiter awaiter) => awaiter.GetResult();
}
