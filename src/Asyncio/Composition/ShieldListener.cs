namespace Asyncio;

/// <summary>
/// Links a shielded future (the inner) to the future <see cref="Aio.Shield{T}(AioTask{T})"/> returns (the
/// outer): the inner's outcome is copied to the outer, while cancelling the outer only detaches the link.
/// <para>asyncio: <c>shield</c>'s <c>_inner_done_callback</c> and <c>_outer_done_callback</c>.</para>
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
internal sealed class ShieldListener<T> : IFutureListener
{
    private readonly Future _inner;
    private readonly Future<T> _outer;

    /// <summary>Reads the inner's result as a <typeparamref name="T"/>.</summary>
    private readonly Func<Future, T> _read;

    private ShieldListener(Future inner, Future<T> outer, Func<Future, T> read)
    {
        _inner = inner;
        _outer = outer;
        _read = read;
    }

    /// <summary>The outer future for <paramref name="inner"/>; <paramref name="inner"/> itself when it is a done <see cref="Future{T}"/>.</summary>
    /// <param name="inner">The future or task to protect.</param>
    /// <param name="read">Reads the done inner's result.</param>
    public static Future<T> Shield(Future inner, Func<Future, T> read)
    {
        if (inner.IsDone && inner is Future<T> same) return same;
        var outer = new Future<T>(inner.Loop);
        if (inner.IsDone)
        {
            CopyOutcome(inner, outer, read);
            return outer;
        }
        var link = new ShieldListener<T>(inner, outer, read);
        inner.AddListener(link);
        outer.AddListener(link);
        return outer;
    }

    public void OnFutureDone(Future future)
    {
        if (ReferenceEquals(future, _outer))
        {
            // The outer was cancelled (or completed): nobody listens to the inner any more.
            if (!_inner.IsDone) _inner.RemoveListener(this);
            return;
        }
        if (_outer.IsCancelled)
        {
            // Nobody will look at the inner's failure through the outer: retrieve it so it is not reported.
            if (!_inner.IsCancelled) _inner.Exception();
            return;
        }
        CopyOutcome(_inner, _outer, _read);
    }

    /// <summary>Gives <paramref name="outer"/> the outcome of the done <paramref name="inner"/>.</summary>
    private static void CopyOutcome(Future inner, Future<T> outer, Func<Future, T> read)
    {
        if (outer.IsDone) return;
        if (inner.IsCancelled) outer.Cancel();
        else if (inner.Exception() is { } error) outer.SetException(error);
        else outer.SetResult(read(inner));
    }
}
