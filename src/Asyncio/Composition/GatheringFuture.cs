using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// The future <see cref="Aio.Gather{T}(Coroutine{T}[])"/> returns: done when every child is done (or, without
/// <c>returnExceptions</c>, as soon as one fails). Cancelling it cancels the children instead of itself.
/// <para>asyncio: <c>tasks._GatheringFuture</c>.</para>
/// </summary>
/// <remarks>
/// <para>A failing child does not cancel its siblings; their later failures are marked retrieved here, so
/// nothing is reported as "never retrieved" (asyncio does the same).</para>
/// <para><see cref="Cancel"/> returns true when at least one child accepted the request; the gather then ends
/// with a <see cref="CancelledError"/> <em>exception</em> (awaiting it raises; <see cref="Future.IsCancelled"/>
/// stays false), exactly as asyncio's gather does.</para>
/// </remarks>
/// <typeparam name="TResult">What the gather produces from its done children.</typeparam>
internal sealed class GatheringFuture<TResult> : Future<TResult>, ICountingListener
{
    /// <summary>
    /// The child for each argument position (a repeated argument repeats the same future); empty once the gather is
    /// done (see <see cref="Succeed"/>).
    /// </summary>
    private GatherChildren _children;

    /// <summary>Builds the result from the done children, in argument order.</summary>
    private readonly Func<GatherChildren, TResult> _project;

    /// <summary>Put exceptions in the result instead of failing at the first one.</summary>
    private readonly bool _returnExceptions;

    /// <summary>Distinct children not done yet.</summary>
    private int _pending;

    /// <summary>
    /// Registrations whose child has not completed yet: unlike <see cref="_pending"/>, counted down when the child
    /// completes (<see cref="CountedInline"/> is told of every completion), not when its notification runs.
    /// </summary>
    private int _incomplete;

    /// <summary>Set by a <see cref="Cancel"/> that reached a child: the gather ends with a CancelledError.</summary>
    private bool _cancelRequested;

    /// <summary>The message of that cancel request.</summary>
    private string? _cancelMessage;

    public GatheringFuture(EventLoop loop, GatherChildren children, Func<GatherChildren, TResult> project, bool returnExceptions)
        : base(loop)
    {
        _children = children;
        _project = project;
        _returnExceptions = returnExceptions;
        // A future given twice is listened to twice and counted twice: each registration fires once, so the
        // count still reaches zero exactly when every child is done, with no table of the children seen.
        List<Future>? alreadyDone = null;
        for (int i = 0; i < children.Count; i++)
        {
            Future child = children[i];
            _pending++;
            // Python 3.12+: children already done are handled synchronously, so gathering only done futures
            // gives a done gather at once.
            if (child.IsDone)
            {
                (alreadyDone ??= new()).Add(child);
            }
            else
            {
                child.AddListener(this);
                _incomplete++;
            }
        }
        if (_pending == 0) Succeed(project(children));
        if (alreadyDone is not null)
        {
            foreach (Future child in alreadyDone) OnFutureDone(child);
        }
    }

    /// <summary>
    /// Cancels every child that is not done. Returns false, changing nothing, if the gather is done or no
    /// child accepted the request.
    /// <para>asyncio: <c>_GatheringFuture.cancel(msg)</c>.</para>
    /// </summary>
    public override bool Cancel(string? message = null)
    {
        _loop.CheckThread();
        if (IsDone) return false;
        bool accepted = false;
        for (int i = 0; i < _children.Count; i++)
        {
            if (_children[i].Cancel(message)) accepted = true;
        }
        if (accepted)
        {
            _cancelRequested = true;
            _cancelMessage = message;
        }
        return accepted;
    }

    /// <summary>
    /// A child with a result that is not the last to complete: only the count changes (or nothing, the gather being
    /// done). The last to complete is always scheduled, even when an earlier completion's notification is still
    /// waiting in the ready queue: asyncio's gather is done when the last child's callback runs, not before.
    /// </summary>
    public bool CountedInline(Future child)
    {
        _incomplete--;
        if (!child.HasResult || _incomplete == 0 || (_pending == 1 && !IsDone)) return false;
        if (!IsDone) _pending--;
        return true;
    }

    /// <summary>A child is done: fail fast, or finish when it was the last one.</summary>
    public void OnFutureDone(Future child)
    {
        if (IsDone)
        {
            // Retrieve the late failure so that it is not reported as never retrieved.
            if (!child.IsCancelled) child.Exception();
            return;
        }
        _pending--;
        Debug.Assert(_pending >= 0);
        if (!_returnExceptions)
        {
            if (TakeFailure(child) is { } failure)
            {
                Fail(failure);
                return;
            }
        }
        if (_pending > 0) return;
        if (_cancelRequested)
        {
            Fail(new CancelledError(_cancelMessage));
            return;
        }
        TResult result;
        try
        {
            result = _project(_children);
        }
        catch (Exception error)
        {
            Fail(error);
            return;
        }
        Succeed(result);
    }

    // A done gather lets go of its children. The step its completion wakes holds it for as long as that step runs, and
    // a step that goes on to start the next batch would otherwise keep every finished child of the last one alive
    // through it (200,000 tasks in the spawn benchmark, promoted by each collection of that step).
    private void Succeed(TResult result)
    {
        _children = GatherChildren.None;
        TrySetResult(result);
    }

    private void Fail(Exception error)
    {
        _children = GatherChildren.None;
        TrySetExceptionCore(error);
    }

    /// <summary>The child's exception, or its <see cref="CancelledError"/>; null when it has a result.</summary>
    internal static Exception? TakeFailure(Future child)
    {
        try
        {
            return child.Exception();
        }
        catch (CancelledError cancelled)
        {
            return cancelled;
        }
    }
}
