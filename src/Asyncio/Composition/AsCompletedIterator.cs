using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace Asyncio;

/// <summary>
/// What <see cref="Aio.AsCompleted{T}(IEnumerable{AioTask{T}}, double?)"/> returns: an async sequence of the
/// children in the order they complete. Each item is the completed child (the original future or task, or the
/// task made for a coroutine) as an <see cref="Awaitable{T}"/>: <c>await item</c> gives its result or throws
/// its exception, so one failure does not end the iteration.
/// <para>asyncio: <c>asyncio.as_completed(aws, timeout=None)</c> used with <c>async for</c> (3.13).</para>
/// </summary>
/// <remarks>
/// <para><c>await foreach</c> binds to the public <see cref="GetAsyncEnumerator"/>, whose
/// <see cref="MoveNextAsync"/> returns a loop <see cref="Future{T}"/>: the iteration suspends like any loop
/// await (virtual time jumps at once). Through the <see cref="IAsyncEnumerable{T}"/> interface the same
/// enumerator answers with a <see cref="ValueTask{T}"/> backed by that future, which a coroutine awaits as a
/// foreign awaitable.</para>
/// <para>As asyncio 3.13's iterator object, one instance can be enumerated again: an <c>await foreach</c> left with
/// <c>break</c> and started again goes on with the children not yielded yet, in completion order, including those
/// that completed while nobody was enumerating. Disposing the enumerator (the end of an <c>await foreach</c>)
/// therefore detaches nothing: the iterator listens to its children until each is done or the timeout elapses.</para>
/// <para>When the timeout elapses, the children done by then are still yielded; each move after them throws
/// <see cref="TimeoutException"/>, once per child not done in time, and the iteration then ends. Those children
/// are neither cancelled nor awaited.</para>
/// </remarks>
/// <typeparam name="T">The result type.</typeparam>
public sealed class AsCompletedIterator<T> : IAsyncEnumerable<Awaitable<T>>, IAsyncDisposable, IFutureListener
{
    private readonly EventLoop _loop;

    /// <summary>Children not done yet (asyncio's <c>todo</c>); emptied when the timeout elapses.</summary>
    private readonly HashSet<Future> _todo;

    /// <summary>Children done and not yielded yet, in completion order.</summary>
    private readonly Queue<Future> _done = new();

    /// <summary>Seconds from the first enumeration until the children not done count as timed out; null for none.</summary>
    private readonly double? _timeout;

    /// <summary>The pending timeout, cancelled once every child is done.</summary>
    private TimerHandle? _timer;

    /// <summary>Set by the first enumeration, which attaches to the children and starts the timeout.</summary>
    private bool _started;

    /// <summary>
    /// Moves still to answer (asyncio's <c>_todo_left</c>): one per child not yielded yet, or, once the timeout
    /// elapsed, one per child done in time and not yielded yet plus one <see cref="TimeoutException"/> per child not
    /// done in time.
    /// </summary>
    private int _left;

    /// <summary>The pending answer of a <see cref="MoveNextAsync"/> that found nothing ready.</summary>
    private Future<bool>? _waiter;

    /// <summary>The current item.</summary>
    public Awaitable<T> Current { get; private set; }

    internal AsCompletedIterator(EventLoop loop, GatherChildren children, double? timeout)
    {
        _loop = loop;
        _todo = new HashSet<Future>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < children.Count; i++) _todo.Add(children[i]);
        _left = _todo.Count;
        _timeout = timeout;
    }

    /// <summary>
    /// Starts or resumes the enumeration: the first call listens to the children and starts the timeout; a later
    /// call (after a <c>break</c>) goes on with the children not yielded yet.
    /// </summary>
    /// <param name="cancellationToken">Unused: cancel the task instead.</param>
    public AsCompletedIterator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (_started) return this;
        _started = true;
        foreach (Future child in _todo) child.AddListener(this);
        if (_timeout is { } delay && _todo.Count > 0) _timer = _loop.CallLater(delay, static it => it.OnTimeout(), this);
        return this;
    }

    IAsyncEnumerator<Awaitable<T>> IAsyncEnumerable<Awaitable<T>>.GetAsyncEnumerator(CancellationToken cancellationToken) =>
        new InterfaceEnumerator(GetAsyncEnumerator(cancellationToken));

    /// <summary>Advances to the next child to complete; false when all were yielded.</summary>
    /// <exception cref="TimeoutException">The timeout elapsed first (thrown when the returned future is awaited).</exception>
    /// <exception cref="InvalidOperationException">The previous move is still pending.</exception>
    public Future<bool> MoveNextAsync()
    {
        if (_waiter is { IsDone: false }) throw new InvalidOperationException("the previous MoveNextAsync is still pending");
        _waiter = _loop.CreateFuture<bool>();
        Future<bool> answer = _waiter;
        TryAnswer();
        return answer;
    }

    /// <summary>
    /// Does nothing: the iterator keeps collecting completions so that a later enumeration loses none (asyncio's
    /// iterator has no close either). It stops listening once every child is done or the timeout elapses.
    /// </summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    void IFutureListener.OnFutureDone(Future child)
    {
        if (!_todo.Remove(child)) return;
        _done.Enqueue(child);
        if (_todo.Count == 0) _timer?.Cancel();
        TryAnswer();
    }

    /// <summary>As asyncio's <c>_handle_timeout</c>: the children not done stop counting as coming, each becomes a timeout.</summary>
    private void OnTimeout()
    {
        foreach (Future child in _todo) child.RemoveListener(this);
        _todo.Clear();
        TryAnswer();
    }

    /// <summary>Answers the pending move if the next item is decided.</summary>
    private void TryAnswer()
    {
        Debug.Assert(_left >= _todo.Count + _done.Count, "every child not yielded has a move to answer");
        if (_waiter is not { } answer) return;
        if (answer.IsDone)
        {
            // The awaiting task was cancelled, which cancelled the answer: nothing was consumed.
            _waiter = null;
            return;
        }
        if (_left == 0)
        {
            answer.SetResult(false);
        }
        else if (_done.TryDequeue(out Future? next))
        {
            _left--;
            Current = Awaitable<T>.FromFuture(next);
            answer.SetResult(true);
        }
        else if (_todo.Count == 0)
        {
            // Not all yielded, nothing done and nothing to come: the timeout elapsed.
            _left--;
            answer.SetException(new TimeoutException("as_completed timed out"));
        }
        else
        {
            return;
        }
        _waiter = null;
    }

    /// <summary>The <see cref="IAsyncEnumerator{T}"/> view: a <see cref="ValueTask{T}"/> backed by the loop future.</summary>
    private sealed class InterfaceEnumerator : IAsyncEnumerator<Awaitable<T>>, IValueTaskSource<bool>, IFutureListener
    {
        private readonly AsCompletedIterator<T> _iterator;
        private ManualResetValueTaskSourceCore<bool> _core;

        public InterfaceEnumerator(AsCompletedIterator<T> iterator) => _iterator = iterator;

        public Awaitable<T> Current => _iterator.Current;

        public ValueTask<bool> MoveNextAsync()
        {
            Future<bool> move = _iterator.MoveNextAsync();
            if (move.IsDone) return new ValueTask<bool>(move.Result());
            _core.Reset();
            move.AddListener(this);
            return new ValueTask<bool>(this, _core.Version);
        }

        public ValueTask DisposeAsync() => _iterator.DisposeAsync();

        void IFutureListener.OnFutureDone(Future future)
        {
            var move = (Future<bool>)future;
            if (move.Exception() is { } error) _core.SetException(error);
            else _core.SetResult(move.Result());
        }

        public bool GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
