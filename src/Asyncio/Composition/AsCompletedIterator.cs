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
/// <para>When the timeout elapses, the next move throws <see cref="TimeoutException"/>; the children not yet
/// done are neither cancelled nor awaited. One enumeration per instance.</para>
/// </remarks>
/// <typeparam name="T">The result type.</typeparam>
public sealed class AsCompletedIterator<T> : IAsyncEnumerable<Awaitable<T>>, IAsyncDisposable, IFutureListener
{
    private readonly EventLoop _loop;

    /// <summary>Children not done yet (asyncio's <c>todo</c>).</summary>
    private readonly HashSet<Future> _todo;

    /// <summary>Children done and not yielded yet, in completion order.</summary>
    private readonly Queue<Future> _done = new();

    private readonly double? _timeout;
    private TimerHandle? _timer;
    private bool _timedOut;
    private bool _started;

    /// <summary>The pending answer of a <see cref="MoveNextAsync"/> that found nothing ready.</summary>
    private Future<bool>? _waiter;

    /// <summary>The current item.</summary>
    public Awaitable<T> Current { get; private set; }

    internal AsCompletedIterator(EventLoop loop, IEnumerable<Future> children, double? timeout)
    {
        _loop = loop;
        _todo = new HashSet<Future>(children, ReferenceEqualityComparer.Instance);
        _timeout = timeout;
    }

    /// <summary>Starts the enumeration (once): listens to the children and starts the timeout.</summary>
    /// <param name="cancellationToken">Unused: cancel the task instead.</param>
    public AsCompletedIterator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (_started) throw new InvalidOperationException("as_completed can be iterated only once");
        _started = true;
        foreach (Future child in _todo) child.AddListener(this);
        if (_timeout is { } delay && _todo.Count > 0) _timer = _loop.CallLater(delay, static it => it.OnTimeout(), this);
        return this;
    }

    IAsyncEnumerator<Awaitable<T>> IAsyncEnumerable<Awaitable<T>>.GetAsyncEnumerator(CancellationToken cancellationToken) =>
        new InterfaceEnumerator(GetAsyncEnumerator(cancellationToken));

    /// <summary>Advances to the next child to complete; false when all were yielded.</summary>
    /// <exception cref="TimeoutException">The timeout elapsed first (thrown when the returned future is awaited).</exception>
    public Future<bool> MoveNextAsync()
    {
        var answer = _loop.CreateFuture<bool>();
        if (TryAnswer(answer)) return answer;
        _waiter = answer;
        return answer;
    }

    /// <summary>Stops listening to the children and cancels the timeout; the children go on.</summary>
    public ValueTask DisposeAsync()
    {
        foreach (Future child in _todo) child.RemoveListener(this);
        _timer?.Cancel();
        return ValueTask.CompletedTask;
    }

    void IFutureListener.OnFutureDone(Future child)
    {
        if (!_todo.Remove(child)) return;
        _done.Enqueue(child);
        if (_todo.Count == 0) _timer?.Cancel();
        if (_waiter is { } waiter && TryAnswer(waiter)) _waiter = null;
    }

    private void OnTimeout()
    {
        _timedOut = true;
        if (_waiter is { } waiter && TryAnswer(waiter)) _waiter = null;
    }

    /// <summary>Completes <paramref name="answer"/> if the next move is decided; false if it must wait.</summary>
    private bool TryAnswer(Future<bool> answer)
    {
        if (_done.TryDequeue(out Future? next))
        {
            Current = Awaitable<T>.FromFuture(next);
            answer.SetResult(true);
        }
        else if (_todo.Count == 0) answer.SetResult(false);
        else if (_timedOut) answer.SetException(new TimeoutException("as_completed timed out"));
        else return false;
        return true;
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
