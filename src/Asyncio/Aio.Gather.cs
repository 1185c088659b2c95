namespace Asyncio;

// Gather's overloads: one per source kind because C# infers no type argument through an implicit conversion.
// They all end in GatherCore; GatheringFuture holds the mechanism.
public static partial class Aio
{
    /// <summary>
    /// Runs the coroutines concurrently and returns a future of their results in argument order. Coroutines become tasks
    /// at once. The first failure fails the gather without cancelling the other children; cancelling the gather
    /// cancels every child. The same object passed twice runs once and its result fills both slots.
    /// <para>asyncio: <c>asyncio.gather(*aws)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="coroutines">The children.</param>
    /// <exception cref="ArgumentException">Futures from different loops.</exception>
    public static Future<T[]> Gather<T>(params Coroutine<T>[] coroutines) => Gather((IEnumerable<Coroutine<T>>)coroutines);

    /// <inheritdoc cref="Gather{T}(Coroutine{T}[])"/>
    public static Future<T[]> Gather<T>(IEnumerable<Coroutine<T>> coroutines) =>
        GatherCore(coroutines.Select(static x => (Awaitable<T>)x), static children => Results<T>(children), returnExceptions: false);

    /// <summary>
    /// Like <see cref="Gather{T}(Coroutine{T}[])"/>, but waits for every child and returns each one's
    /// <see cref="Outcome{T}"/>: its result or the exception it ended with (a cancelled child gives a
    /// <see cref="CancelledError"/>). Cancelling the gather itself still raises <see cref="CancelledError"/>.
    /// <para>asyncio: <c>asyncio.gather(*aws, return_exceptions=True)</c>.</para>
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="coroutines">The children.</param>
    public static Future<Outcome<T>[]> GatherResults<T>(params Coroutine<T>[] coroutines) => GatherResults((IEnumerable<Coroutine<T>>)coroutines);

    /// <inheritdoc cref="GatherResults{T}(Coroutine{T}[])"/>
    public static Future<Outcome<T>[]> GatherResults<T>(IEnumerable<Coroutine<T>> coroutines) =>
        GatherCore(coroutines.Select(static x => (Awaitable<T>)x), static children => Outcomes<T>(children), returnExceptions: true);

    /// <inheritdoc cref="Gather{T}(Coroutine{T}[])"/>
    /// <param name="tasks">The children.</param>
    public static Future<T[]> Gather<T>(params AioTask<T>[] tasks) => Gather((IEnumerable<AioTask<T>>)tasks);

    /// <inheritdoc cref="Gather{T}(AioTask{T}[])"/>
    public static Future<T[]> Gather<T>(IEnumerable<AioTask<T>> tasks) =>
        GatherFutures(tasks, static children => Results<T>(children), returnExceptions: false);

    /// <inheritdoc cref="GatherResults{T}(Coroutine{T}[])"/>
    /// <param name="tasks">The children.</param>
    public static Future<Outcome<T>[]> GatherResults<T>(params AioTask<T>[] tasks) => GatherResults((IEnumerable<AioTask<T>>)tasks);

    /// <inheritdoc cref="GatherResults{T}(AioTask{T}[])"/>
    public static Future<Outcome<T>[]> GatherResults<T>(IEnumerable<AioTask<T>> tasks) =>
        GatherFutures(tasks, static children => Outcomes<T>(children), returnExceptions: true);

    /// <inheritdoc cref="Gather{T}(Coroutine{T}[])"/>
    /// <param name="futures">The children.</param>
    public static Future<T[]> Gather<T>(params Future<T>[] futures) => Gather((IEnumerable<Future<T>>)futures);

    /// <inheritdoc cref="Gather{T}(Future{T}[])"/>
    public static Future<T[]> Gather<T>(IEnumerable<Future<T>> futures) =>
        GatherFutures(futures, static children => Results<T>(children), returnExceptions: false);

    /// <inheritdoc cref="GatherResults{T}(Coroutine{T}[])"/>
    /// <param name="futures">The children.</param>
    public static Future<Outcome<T>[]> GatherResults<T>(params Future<T>[] futures) => GatherResults((IEnumerable<Future<T>>)futures);

    /// <inheritdoc cref="GatherResults{T}(Future{T}[])"/>
    public static Future<Outcome<T>[]> GatherResults<T>(IEnumerable<Future<T>> futures) =>
        GatherFutures(futures, static children => Outcomes<T>(children), returnExceptions: true);

    /// <inheritdoc cref="Gather{T}(Coroutine{T}[])"/>
    /// <param name="awaitables">The children.</param>
    public static Future<T[]> Gather<T>(params Awaitable<T>[] awaitables) => Gather((IEnumerable<Awaitable<T>>)awaitables);

    /// <inheritdoc cref="Gather{T}(Awaitable{T}[])"/>
    public static Future<T[]> Gather<T>(IEnumerable<Awaitable<T>> awaitables) =>
        GatherCore(awaitables, static children => Results<T>(children), returnExceptions: false);

    /// <inheritdoc cref="GatherResults{T}(Coroutine{T}[])"/>
    /// <param name="awaitables">The children.</param>
    public static Future<Outcome<T>[]> GatherResults<T>(params Awaitable<T>[] awaitables) => GatherResults((IEnumerable<Awaitable<T>>)awaitables);

    /// <inheritdoc cref="GatherResults{T}(Awaitable{T}[])"/>
    public static Future<Outcome<T>[]> GatherResults<T>(IEnumerable<Awaitable<T>> awaitables) =>
        GatherCore(awaitables, static children => Outcomes<T>(children), returnExceptions: true);

    /// <summary>
    /// Gathers 2 children of different types into a tuple, in argument order (type arguments are explicit:
    /// <c>Aio.Gather&lt;int, string&gt;(A(), B())</c>). Same rules as <see cref="Gather{T}(Coroutine{T}[])"/>.
    /// <para>asyncio: <c>asyncio.gather(a, b, ...)</c>.</para>
    /// </summary>
    /// <typeparam name="T1">The result type of child 1.</typeparam>
    /// <typeparam name="T2">The result type of child 2.</typeparam>
    /// <param name="a1">Child 1.</param>
    /// <param name="a2">Child 2.</param>
    public static Future<(T1, T2)> Gather<T1, T2>(Awaitable<T1> a1, Awaitable<T2> a2)
    {
        EventLoop loop = CommonLoop(a1.LoopOrNull, a2.LoopOrNull);
        var children = new GatherArguments(loop).Add(a1).Add(a2).Children;
        return new GatheringFuture<(T1, T2)>(loop, children, static c => (Awaitable<T1>.ResultOf(c[0]), Awaitable<T2>.ResultOf(c[1])), returnExceptions: false);
    }

    /// <summary>
    /// Gathers 3 children of different types into a tuple, in argument order (type arguments are explicit:
    /// <c>Aio.Gather&lt;int, string&gt;(A(), B())</c>). Same rules as <see cref="Gather{T}(Coroutine{T}[])"/>.
    /// <para>asyncio: <c>asyncio.gather(a, b, ...)</c>.</para>
    /// </summary>
    /// <typeparam name="T1">The result type of child 1.</typeparam>
    /// <typeparam name="T2">The result type of child 2.</typeparam>
    /// <typeparam name="T3">The result type of child 3.</typeparam>
    /// <param name="a1">Child 1.</param>
    /// <param name="a2">Child 2.</param>
    /// <param name="a3">Child 3.</param>
    public static Future<(T1, T2, T3)> Gather<T1, T2, T3>(Awaitable<T1> a1, Awaitable<T2> a2, Awaitable<T3> a3)
    {
        EventLoop loop = CommonLoop(a1.LoopOrNull, a2.LoopOrNull, a3.LoopOrNull);
        var children = new GatherArguments(loop).Add(a1).Add(a2).Add(a3).Children;
        return new GatheringFuture<(T1, T2, T3)>(loop, children, static c => (Awaitable<T1>.ResultOf(c[0]), Awaitable<T2>.ResultOf(c[1]), Awaitable<T3>.ResultOf(c[2])), returnExceptions: false);
    }

    /// <summary>
    /// Gathers 4 children of different types into a tuple, in argument order (type arguments are explicit:
    /// <c>Aio.Gather&lt;int, string&gt;(A(), B())</c>). Same rules as <see cref="Gather{T}(Coroutine{T}[])"/>.
    /// <para>asyncio: <c>asyncio.gather(a, b, ...)</c>.</para>
    /// </summary>
    /// <typeparam name="T1">The result type of child 1.</typeparam>
    /// <typeparam name="T2">The result type of child 2.</typeparam>
    /// <typeparam name="T3">The result type of child 3.</typeparam>
    /// <typeparam name="T4">The result type of child 4.</typeparam>
    /// <param name="a1">Child 1.</param>
    /// <param name="a2">Child 2.</param>
    /// <param name="a3">Child 3.</param>
    /// <param name="a4">Child 4.</param>
    public static Future<(T1, T2, T3, T4)> Gather<T1, T2, T3, T4>(Awaitable<T1> a1, Awaitable<T2> a2, Awaitable<T3> a3, Awaitable<T4> a4)
    {
        EventLoop loop = CommonLoop(a1.LoopOrNull, a2.LoopOrNull, a3.LoopOrNull, a4.LoopOrNull);
        var children = new GatherArguments(loop).Add(a1).Add(a2).Add(a3).Add(a4).Children;
        return new GatheringFuture<(T1, T2, T3, T4)>(loop, children, static c => (Awaitable<T1>.ResultOf(c[0]), Awaitable<T2>.ResultOf(c[1]), Awaitable<T3>.ResultOf(c[2]), Awaitable<T4>.ResultOf(c[3])), returnExceptions: false);
    }

    /// <summary>
    /// Gathers 5 children of different types into a tuple, in argument order (type arguments are explicit:
    /// <c>Aio.Gather&lt;int, string&gt;(A(), B())</c>). Same rules as <see cref="Gather{T}(Coroutine{T}[])"/>.
    /// <para>asyncio: <c>asyncio.gather(a, b, ...)</c>.</para>
    /// </summary>
    /// <typeparam name="T1">The result type of child 1.</typeparam>
    /// <typeparam name="T2">The result type of child 2.</typeparam>
    /// <typeparam name="T3">The result type of child 3.</typeparam>
    /// <typeparam name="T4">The result type of child 4.</typeparam>
    /// <typeparam name="T5">The result type of child 5.</typeparam>
    /// <param name="a1">Child 1.</param>
    /// <param name="a2">Child 2.</param>
    /// <param name="a3">Child 3.</param>
    /// <param name="a4">Child 4.</param>
    /// <param name="a5">Child 5.</param>
    public static Future<(T1, T2, T3, T4, T5)> Gather<T1, T2, T3, T4, T5>(Awaitable<T1> a1, Awaitable<T2> a2, Awaitable<T3> a3, Awaitable<T4> a4, Awaitable<T5> a5)
    {
        EventLoop loop = CommonLoop(a1.LoopOrNull, a2.LoopOrNull, a3.LoopOrNull, a4.LoopOrNull, a5.LoopOrNull);
        var children = new GatherArguments(loop).Add(a1).Add(a2).Add(a3).Add(a4).Add(a5).Children;
        return new GatheringFuture<(T1, T2, T3, T4, T5)>(loop, children, static c => (Awaitable<T1>.ResultOf(c[0]), Awaitable<T2>.ResultOf(c[1]), Awaitable<T3>.ResultOf(c[2]), Awaitable<T4>.ResultOf(c[3]), Awaitable<T5>.ResultOf(c[4])), returnExceptions: false);
    }

    /// <summary>
    /// Gathers 6 children of different types into a tuple, in argument order (type arguments are explicit:
    /// <c>Aio.Gather&lt;int, string&gt;(A(), B())</c>). Same rules as <see cref="Gather{T}(Coroutine{T}[])"/>.
    /// <para>asyncio: <c>asyncio.gather(a, b, ...)</c>.</para>
    /// </summary>
    /// <typeparam name="T1">The result type of child 1.</typeparam>
    /// <typeparam name="T2">The result type of child 2.</typeparam>
    /// <typeparam name="T3">The result type of child 3.</typeparam>
    /// <typeparam name="T4">The result type of child 4.</typeparam>
    /// <typeparam name="T5">The result type of child 5.</typeparam>
    /// <typeparam name="T6">The result type of child 6.</typeparam>
    /// <param name="a1">Child 1.</param>
    /// <param name="a2">Child 2.</param>
    /// <param name="a3">Child 3.</param>
    /// <param name="a4">Child 4.</param>
    /// <param name="a5">Child 5.</param>
    /// <param name="a6">Child 6.</param>
    public static Future<(T1, T2, T3, T4, T5, T6)> Gather<T1, T2, T3, T4, T5, T6>(Awaitable<T1> a1, Awaitable<T2> a2, Awaitable<T3> a3, Awaitable<T4> a4, Awaitable<T5> a5, Awaitable<T6> a6)
    {
        EventLoop loop = CommonLoop(a1.LoopOrNull, a2.LoopOrNull, a3.LoopOrNull, a4.LoopOrNull, a5.LoopOrNull, a6.LoopOrNull);
        var children = new GatherArguments(loop).Add(a1).Add(a2).Add(a3).Add(a4).Add(a5).Add(a6).Children;
        return new GatheringFuture<(T1, T2, T3, T4, T5, T6)>(loop, children, static c => (Awaitable<T1>.ResultOf(c[0]), Awaitable<T2>.ResultOf(c[1]), Awaitable<T3>.ResultOf(c[2]), Awaitable<T4>.ResultOf(c[3]), Awaitable<T5>.ResultOf(c[4]), Awaitable<T6>.ResultOf(c[5])), returnExceptions: false);
    }

    /// <summary>
    /// Gathers 7 children of different types into a tuple, in argument order (type arguments are explicit:
    /// <c>Aio.Gather&lt;int, string&gt;(A(), B())</c>). Same rules as <see cref="Gather{T}(Coroutine{T}[])"/>.
    /// <para>asyncio: <c>asyncio.gather(a, b, ...)</c>.</para>
    /// </summary>
    /// <typeparam name="T1">The result type of child 1.</typeparam>
    /// <typeparam name="T2">The result type of child 2.</typeparam>
    /// <typeparam name="T3">The result type of child 3.</typeparam>
    /// <typeparam name="T4">The result type of child 4.</typeparam>
    /// <typeparam name="T5">The result type of child 5.</typeparam>
    /// <typeparam name="T6">The result type of child 6.</typeparam>
    /// <typeparam name="T7">The result type of child 7.</typeparam>
    /// <param name="a1">Child 1.</param>
    /// <param name="a2">Child 2.</param>
    /// <param name="a3">Child 3.</param>
    /// <param name="a4">Child 4.</param>
    /// <param name="a5">Child 5.</param>
    /// <param name="a6">Child 6.</param>
    /// <param name="a7">Child 7.</param>
    public static Future<(T1, T2, T3, T4, T5, T6, T7)> Gather<T1, T2, T3, T4, T5, T6, T7>(Awaitable<T1> a1, Awaitable<T2> a2, Awaitable<T3> a3, Awaitable<T4> a4, Awaitable<T5> a5, Awaitable<T6> a6, Awaitable<T7> a7)
    {
        EventLoop loop = CommonLoop(a1.LoopOrNull, a2.LoopOrNull, a3.LoopOrNull, a4.LoopOrNull, a5.LoopOrNull, a6.LoopOrNull, a7.LoopOrNull);
        var children = new GatherArguments(loop).Add(a1).Add(a2).Add(a3).Add(a4).Add(a5).Add(a6).Add(a7).Children;
        return new GatheringFuture<(T1, T2, T3, T4, T5, T6, T7)>(loop, children, static c => (Awaitable<T1>.ResultOf(c[0]), Awaitable<T2>.ResultOf(c[1]), Awaitable<T3>.ResultOf(c[2]), Awaitable<T4>.ResultOf(c[3]), Awaitable<T5>.ResultOf(c[4]), Awaitable<T6>.ResultOf(c[5]), Awaitable<T7>.ResultOf(c[6])), returnExceptions: false);
    }

    /// <summary>
    /// Runs coroutines that return nothing concurrently; the returned future completes when all are done (or
    /// fails with the first failure). Same rules as <see cref="Gather{T}(Coroutine{T}[])"/>.
    /// <para>asyncio: <c>asyncio.gather(*aws)</c> (results ignored).</para>
    /// </summary>
    /// <param name="coroutines">Coroutines declared <c>async Coroutine</c>.</param>
    public static Future Gather(params Coroutine[] coroutines) => Gather((IEnumerable<Coroutine>)coroutines);

    /// <inheritdoc cref="Gather(Coroutine[])"/>
    public static Future Gather(IEnumerable<Coroutine> coroutines)
    {
        ArgumentNullException.ThrowIfNull(coroutines);
        return GatherUntyped(coroutines.Cast<object>().ToArray());
    }

    /// <summary>
    /// Waits for futures or tasks of any result types; the returned future completes when all are done (or
    /// fails with the first failure). Same rules as <see cref="Gather{T}(Coroutine{T}[])"/>.
    /// <para>asyncio: <c>asyncio.gather(*fs)</c> (results ignored).</para>
    /// </summary>
    /// <param name="futures">The futures or tasks.</param>
    public static Future Gather(params Future[] futures) => Gather((IEnumerable<Future>)futures);

    /// <inheritdoc cref="Gather(Future[])"/>
    public static Future Gather(IEnumerable<Future> futures)
    {
        ArgumentNullException.ThrowIfNull(futures);
        return GatherUntyped(futures.Cast<object>().ToArray());
    }

    /// <summary>Gathers futures and result-less coroutines, ignoring results.</summary>
    private static Future GatherUntyped(object[] items)
    {
        EventLoop? loop = null;
        foreach (object item in items) loop = SameLoop(loop, (item as Future)?.Loop);
        loop ??= GetEventLoop();
        var seen = new Dictionary<object, Future>(ReferenceEqualityComparer.Instance);
        var children = new GatherChildren();
        foreach (object? element in items)
        {
            object item = element ?? throw new ArgumentNullException(nameof(items));
            if (!seen.TryGetValue(item, out Future? future))
            {
                future = item switch
                {
                    Future f => f,
                    Coroutine<VoidResult> untyped => loop.CreateTask(untyped),
                    // A Coroutine<T> passed as a Coroutine: loop.CreateTask(Coroutine) expects a result-less one.
                    _ => loop.CreateTask(IgnoreResult((Coroutine)item)),
                };
                seen.Add(item, future);
            }
            children.Add(future);
        }
        return new GatheringFuture<object?>(loop, children, static _ => null, returnExceptions: false);
    }

    /// <summary>Runs <paramref name="coroutine"/> inline and drops its result.</summary>
    private static async Coroutine<VoidResult> IgnoreResult(Coroutine coroutine)
    {
        await coroutine;
        return default;
    }

    /// <summary>The gather every overload ends in: one future per argument, de-duplicated by reference.</summary>
    private static Future<TResult> GatherCore<T, TResult>(
        IEnumerable<Awaitable<T>> awaitables, Func<GatherChildren, TResult> project, bool returnExceptions)
    {
        ArgumentNullException.ThrowIfNull(awaitables);
        Awaitable<T>[] items = awaitables.ToArray();
        EventLoop? loop = null;
        foreach (Awaitable<T> item in items) loop = SameLoop(loop, item.LoopOrNull);
        loop ??= GetEventLoop();
        var arguments = new GatherArguments(loop);
        foreach (Awaitable<T> item in items) arguments.Add(item);
        return new GatheringFuture<TResult>(loop, arguments.Children, project, returnExceptions);
    }

    /// <summary>
    /// The children of a gather or an as_completed made from its arguments, one per argument, a repeated argument
    /// giving the same child (it runs once), without a table entry per argument: a coroutine's frame becomes the task
    /// itself, so a frame seen again is found to be a task already, and only then is a set of the children so far
    /// made, to tell this call's tasks from one scheduled before (which is refused, as for a single argument). Only
    /// .NET tasks, which become new futures, are remembered one by one.
    /// </summary>
    private sealed class GatherArguments(EventLoop loop)
    {
        /// <summary>.NET tasks given so far and the futures they became; null until the first.</summary>
        private Dictionary<object, Future>? _wrapped;

        /// <summary>The children so far, once a frame that is a task already was seen; null until then.</summary>
        private HashSet<Future>? _seen;

        /// <summary>The child of each argument so far, in argument order.</summary>
        public GatherChildren Children { get; } = new();

        /// <summary>Appends the child of the next argument.</summary>
        public GatherArguments Add<T>(Awaitable<T> awaitable)
        {
            Children.Add(ChildOf(awaitable));
            return this;
        }

        private Future ChildOf<T>(Awaitable<T> awaitable)
        {
            if (awaitable.Future is { } future) return Remember(future);
            object source = awaitable.Source;
            if (source is AioTask frame)
            {
                if (frame.IsTask && IsChildSoFar(frame)) return frame;
                return Remember(awaitable.ToFuture(loop));
            }
            _wrapped ??= new(ReferenceEqualityComparer.Instance);
            if (!_wrapped.TryGetValue(source, out future))
            {
                future = Remember(awaitable.ToFuture(loop));
                _wrapped.Add(source, future);
            }
            return future;
        }

        private bool IsChildSoFar(Future frame)
        {
            if (_seen is null)
            {
                _seen = new(ReferenceEqualityComparer.Instance);
                for (int i = 0; i < Children.Count; i++) _seen.Add(Children[i]);
            }
            return _seen.Contains(frame);
        }

        private Future Remember(Future child)
        {
            _seen?.Add(child);
            return child;
        }
    }

    /// <summary>
    /// The gather of arguments that are futures already (tasks included): they are their own children, so no
    /// wrapper or de-duplication table is needed (GatheringFuture counts a repeated future once per argument).
    /// </summary>
    private static Future<TResult> GatherFutures<TResult>(IEnumerable<Future> futures, Func<GatherChildren, TResult> project, bool returnExceptions)
    {
        ArgumentNullException.ThrowIfNull(futures);
        var children = new GatherChildren();
        EventLoop? loop = null;
        if (futures is Future[] array)
        {
            // The params overloads' case (an AioTask<T>[] is a Future[]): indexing, where the enumerator would make
            // two interface calls per child.
            foreach (Future child in array) loop = AddChild(children, child, loop);
        }
        else
        {
            foreach (Future child in futures) loop = AddChild(children, child, loop);
        }
        return new GatheringFuture<TResult>(loop ?? GetEventLoop(), children, project, returnExceptions);
    }

    /// <summary>Appends a future argument to the children; returns the loop of the arguments so far.</summary>
    private static EventLoop? AddChild(GatherChildren children, Future child, EventLoop? loop)
    {
        ArgumentNullException.ThrowIfNull(child, "futures");
        children.Add(child);
        return SameLoop(loop, child.Loop);
    }

    /// <summary>The loop shared by the given futures' loops (nulls ignored); the running/current loop if none.</summary>
    private static EventLoop CommonLoop(params EventLoop?[] loops)
    {
        EventLoop? loop = null;
        foreach (EventLoop? candidate in loops) loop = SameLoop(loop, candidate);
        return loop ?? GetEventLoop();
    }

    private static EventLoop? SameLoop(EventLoop? loop, EventLoop? candidate)
    {
        if (candidate is null) return loop;
        if (loop is not null && loop != candidate)
        {
            throw new ArgumentException("all futures must belong to the same event loop");
        }
        return candidate;
    }

    private static T[] Results<T>(GatherChildren children)
    {
        var results = new T[children.Count];
        for (int i = 0; i < children.Count; i++) results[i] = Awaitable<T>.ResultOf(children[i]);
        return results;
    }

    private static Outcome<T>[] Outcomes<T>(GatherChildren children)
    {
        var outcomes = new Outcome<T>[children.Count];
        for (int i = 0; i < children.Count; i++) outcomes[i] = Outcome<T>.Of(children[i]);
        return outcomes;
    }
}
