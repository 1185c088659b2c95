using System.ComponentModel;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>The value of a coroutine that returns nothing.</summary>
internal readonly struct VoidResult { }

/// <summary>
/// The state machine box: the coroutine's frame, the compiler's state machine and, if the coroutine is wrapped
/// in one, the task, in one allocation.
/// </summary>
/// <typeparam name="TStateMachine">The compiler-generated state machine.</typeparam>
/// <typeparam name="T">The coroutine's result type.</typeparam>
internal sealed class CoroutineBox<TStateMachine, T> : AioTask<T>
    where TStateMachine : IAsyncStateMachine
{
    /// <summary>The state machine, stored inline (its builder field points back at this box).</summary>
    public TStateMachine StateMachine = default!;

    internal override void MoveNext() => StateMachine.MoveNext();

    internal override string CoroutineName => MethodName<TStateMachine>.Value;

    /// <inheritdoc/>
    internal override bool CanReplaceAwaiter<TAwaiter>() => AwaiterField<TStateMachine, TAwaiter>.Field is not null;

    /// <inheritdoc/>
    internal override void ReplaceAwaiter<TAwaiter>(TAwaiter awaiter)
    {
        FieldInfo field = AwaiterField<TStateMachine, TAwaiter>.Field!;
        if (typeof(TStateMachine).IsValueType)
        {
            // A struct state machine: change a boxed copy and store it back (the machine is suspended, nothing
            // else refers into it; its builder's box reference survives the copy).
            object copy = StateMachine;
            field.SetValue(copy, awaiter);
            StateMachine = (TStateMachine)copy;
        }
        else
        {
            field.SetValue(StateMachine, awaiter);
        }
    }
}

/// <summary>
/// The field where the compiler keeps a suspended <typeparamref name="TAwaiter"/> of
/// <typeparamref name="TStateMachine"/> between the suspension and <c>GetResult</c>: Roslyn names it
/// <c>&lt;&gt;u__N</c>, one per awaiter type, and reloads the awaiter from it when the method resumes.
/// Null when no single such field exists (another compiler), in which case the await is not interruptible.
/// </summary>
internal static class AwaiterField<TStateMachine, TAwaiter>
{
    public static readonly FieldInfo? Field = Find();

    private static FieldInfo? Find()
    {
        FieldInfo? found = null;
        foreach (FieldInfo field in typeof(TStateMachine).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (field.FieldType != typeof(TAwaiter) || !field.Name.StartsWith("<>u__", StringComparison.Ordinal)) continue;
            if (found is not null) return null;
            found = field;
        }
        return found;
    }
}

/// <summary>The user's method name recovered from a state machine type such as <c>&lt;Delay&gt;d__3</c>.</summary>
internal static class MethodName<TStateMachine>
{
    public static readonly string Value = Parse(typeof(TStateMachine).Name);

    private static string Parse(string name)
    {
        // A local function's state machine is <<Outer>g__Local|1_0>d: the user's name is Local.
        int local = name.IndexOf(">g__", StringComparison.Ordinal);
        int bar = local < 0 ? -1 : name.IndexOf('|', local);
        if (bar > local + 4) return name[(local + 4)..bar];
        // A method's is <Name>d__3; a lambda's <<Outer>b__0>d names its enclosing method.
        int close = name.IndexOf('>');
        int open = close < 0 ? -1 : name.LastIndexOf('<', close);
        return open >= 0 ? name[(open + 1)..close] : name;
    }
}

/// <summary>What the builder knows about an awaiter type.</summary>
internal enum AwaiterKinds : byte
{
    /// <summary>Anything else: a <c>Task</c>, <c>ValueTask</c> or any other awaiter.</summary>
    Foreign,

    /// <summary>A loop future or task (single field: the <see cref="Asyncio.Future"/>).</summary>
    Future,

    /// <summary>Another coroutine (single field: its frame, an <see cref="AioTask"/>).</summary>
    Coroutine,

    /// <summary><see cref="SleepAwaiter"/>.</summary>
    Sleep,

    /// <summary><see cref="Greenlets.GreenletSwitchAwaiter"/>: a greenlet's switch, a transfer inside the task.</summary>
    Switch,

    /// <summary>
    /// A queue's or primitive's awaiter (<see cref="IPrimitiveAwaiter"/>): completed, or waiting for a loop
    /// future or a coroutine that it names. It carries a result besides, so it is read through the interface.
    /// </summary>
    Primitive,
}

/// <summary>The kind of awaiter <typeparamref name="TAwaiter"/> is, computed once per type.</summary>
/// <remarks>
/// A static readonly field of a generic class is a constant to the optimizing JIT. The builder reads
/// <see cref="AwaiterKinds.Future"/>, <see cref="AwaiterKinds.Coroutine"/> and <see cref="AwaiterKinds.Primitive"/>
/// awaiters in place with <c>Unsafe.As</c>, as the object they wrap: the layout that relies on (a struct whose
/// one field is that reference; for a primitive's awaiter, a struct whose first field is its source) is checked
/// here, once per type, so that a change to an awaiter fails at its first await instead of reading garbage.
/// </remarks>
internal static class AwaiterKind<TAwaiter>
{
    public static readonly AwaiterKinds Value = Checked(
        typeof(IFutureAwaiter).IsAssignableFrom(typeof(TAwaiter)) ? AwaiterKinds.Future
        : typeof(ICoroutineAwaiter).IsAssignableFrom(typeof(TAwaiter)) ? AwaiterKinds.Coroutine
        : typeof(TAwaiter) == typeof(SleepAwaiter) ? AwaiterKinds.Sleep
        : typeof(TAwaiter) == typeof(Greenlets.GreenletSwitchAwaiter) ? AwaiterKinds.Switch
        : typeof(IPrimitiveAwaiter).IsAssignableFrom(typeof(TAwaiter)) ? AwaiterKinds.Primitive
        : AwaiterKinds.Foreign);

    private static AwaiterKinds Checked(AwaiterKinds kind)
    {
        if (kind == AwaiterKinds.Primitive)
        {
            if (!SourceComesFirst()) throw new InvalidProgramException($"{typeof(TAwaiter)} does not keep its source in its first field.");
            return kind;
        }
        Type? wrapped = kind switch
        {
            AwaiterKinds.Future => typeof(Future),
            AwaiterKinds.Coroutine => typeof(AioTask),
            _ => null,
        };
        if (wrapped is null) return kind;
        FieldInfo[] fields = typeof(TAwaiter).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);
        if (!typeof(TAwaiter).IsValueType || Unsafe.SizeOf<TAwaiter>() != IntPtr.Size
            || fields.Length != 1 || !wrapped.IsAssignableFrom(fields[0].FieldType))
        {
            throw new InvalidProgramException(
                $"{typeof(TAwaiter)} is marked as an awaiter of a {wrapped.Name} but is not a struct whose only field is one.");
        }
        return kind;
    }

    /// <summary>True if a primitive's awaiter read as one reference gives its <see cref="IPrimitiveAwaiter.Source"/>.</summary>
    private static bool SourceComesFirst()
    {
        FieldInfo? field = typeof(TAwaiter).GetField("_source", BindingFlags.Instance | BindingFlags.NonPublic);
        if (!typeof(TAwaiter).IsValueType || field is null || field.FieldType != typeof(object)) return false;
        object probe = new();
        object boxed = default(TAwaiter)!;
        field.SetValue(boxed, probe);
        TAwaiter awaiter = (TAwaiter)boxed;
        return ReferenceEquals(Unsafe.As<TAwaiter, object>(ref awaiter), probe)
            && ReferenceEquals(((IPrimitiveAwaiter)awaiter!).Source, probe);
    }
}

/// <summary>
/// The async method builder of <c>async Coroutine&lt;T&gt;</c> methods. Not called by user code.
/// </summary>
/// <remarks>
/// The members follow the builder pattern's order: 1. Create, 2. Start, 3. Task, 4. SetStateMachine,
/// 5./6. AwaitOnCompleted / AwaitUnsafeOnCompleted, 7. SetResult, 8. SetException.
/// </remarks>
/// <typeparam name="T">The coroutine's result type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct CoroutineMethodBuilder<T>
{
    /// <summary>The box, which is the coroutine's frame (and its task, if it becomes one).</summary>
    internal AioTask<T>? _box;

    /// <summary>1. A builder for a new call.</summary>
    public static CoroutineMethodBuilder<T> Create() => default;

    /// <summary>2. Boxes the state machine without running it: coroutines are lazy.</summary>
    public void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        var box = new CoroutineBox<TStateMachine, T>();
        _box = box;                        // set before copied: the box's copy must carry a builder pointing at the box
        box.StateMachine = stateMachine;
    }

    /// <summary>3. The coroutine returned to the caller.</summary>
    public Coroutine<T> Task => new(_box!);

    /// <summary>4. Unused: the state machine is boxed by <see cref="Start"/>.</summary>
    public void SetStateMachine(IAsyncStateMachine stateMachine) { }

    /// <summary>5. Suspends the coroutine on an awaiter.</summary>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine
    {
        if (AwaiterKind<TAwaiter>.Value == AwaiterKinds.Foreign) awaiter.OnCompleted(_box!.SuspendOnForeign(ref awaiter));
        else _box!.Suspend(ref awaiter);
    }

    /// <summary>6. Suspends the coroutine on an awaiter.</summary>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine
    {
        if (AwaiterKind<TAwaiter>.Value == AwaiterKinds.Foreign) awaiter.UnsafeOnCompleted(_box!.SuspendOnForeign(ref awaiter));
        else _box!.Suspend(ref awaiter);
    }

    /// <summary>7. The body returned.</summary>
    public void SetResult(T result) => _box!.SetFrameResult(result);

    /// <summary>8. The body threw.</summary>
    public void SetException(Exception exception) => _box!.CompleteFrame(exception);
}

/// <summary>
/// The async method builder of <c>async Coroutine</c> methods: a <see cref="CoroutineMethodBuilder{T}"/>
/// with no result. Not called by user code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct CoroutineMethodBuilder
{
    /// <summary>The typed builder doing the work.</summary>
    private CoroutineMethodBuilder<VoidResult> _inner;

    /// <summary>1. A builder for a new call.</summary>
    public static CoroutineMethodBuilder Create() => default;

    /// <summary>2. Boxes the state machine without running it.</summary>
    public void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine => _inner.Start(ref stateMachine);

    /// <summary>3. The coroutine returned to the caller.</summary>
    public Coroutine Task => new(_inner._box!);

    /// <summary>4. Unused.</summary>
    public void SetStateMachine(IAsyncStateMachine stateMachine) { }

    /// <summary>5. Suspends the coroutine on an awaiter.</summary>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine => _inner.AwaitOnCompleted(ref awaiter, ref stateMachine);

    /// <summary>6. Suspends the coroutine on an awaiter.</summary>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine => _inner.AwaitUnsafeOnCompleted(ref awaiter, ref stateMachine);

    /// <summary>7. The body returned.</summary>
    public void SetResult() => _inner.SetResult(default);

    /// <summary>8. The body threw.</summary>
    public void SetException(Exception exception) => _inner.SetException(exception);
}
