using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// Holds tasks until <see cref="Parties"/> of them are waiting, then lets them all go, each with a distinct
/// index. Once tripped it drains (the released tasks leave) before it fills again.
/// <para>asyncio: <c>asyncio.Barrier</c> (Python 3.11).</para>
/// </summary>
/// <remarks>Built, as in asyncio, on an <see cref="AsyncCondition"/>. Not thread-safe.</remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class AsyncBarrier
{
    /// <summary>The phases of a barrier (asyncio's <c>_BarrierState</c>).</summary>
    private enum State : byte
    {
        Filling,
        Draining,
        Resetting,
        Broken,
    }

    /// <summary>Notifies every waiter when the state changes.</summary>
    private readonly AsyncCondition _cond = new();

    /// <summary>Tasks needed to trip the barrier.</summary>
    private readonly int _parties;

    /// <summary>Tasks inside <see cref="WaitAsync"/> (filling, or draining after a trip).</summary>
    private int _count;

    /// <summary>The current phase.</summary>
    private State _state;

    /// <summary>
    /// Creates a barrier for <paramref name="parties"/> tasks.
    /// <para>asyncio: <c>asyncio.Barrier(parties)</c>.</para>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parties"/> is less than 1.</exception>
    public AsyncBarrier(int parties)
    {
        if (parties < 1) throw new ArgumentOutOfRangeException(nameof(parties), parties, "parties must be > 0");
        _parties = parties;
    }

    /// <summary>
    /// Tasks needed to trip the barrier.
    /// <para>asyncio: <c>Barrier.parties</c>.</para>
    /// </summary>
    public int Parties => _parties;

    /// <summary>
    /// Tasks waiting while the barrier fills (0 while it drains or resets).
    /// <para>asyncio: <c>Barrier.n_waiting</c>.</para>
    /// </summary>
    public int NWaiting => _state == State.Filling ? _count : 0;

    /// <summary>
    /// True once <see cref="AbortAsync"/> was called (until <see cref="ResetAsync"/>).
    /// <para>asyncio: <c>Barrier.broken</c>.</para>
    /// </summary>
    public bool IsBroken => _state == State.Broken;

    /// <summary>
    /// Waits until <see cref="Parties"/> tasks wait, then returns this task's index, 0 to Parties - 1.
    /// <para>asyncio: <c>await barrier.wait()</c> / <c>async with barrier as index</c>.</para>
    /// </summary>
    /// <exception cref="BrokenBarrierError">The barrier was aborted, or reset while this task waited.</exception>
    public async Coroutine<int> WaitAsync()
    {
        using (await _cond.AcquireAsync())
        {
            await BlockWhileDrainingOrResetting();
            try
            {
                int index = _count++;
                if (index + 1 == _parties) Trip();
                else await WaitForTrip();
                return index;
            }
            finally
            {
                _count--;
                LeaveAfterWait();
            }
        }
    }

    /// <summary>
    /// Puts the barrier back to filling; tasks waiting now get a <see cref="BrokenBarrierError"/>.
    /// <para>asyncio: <c>await barrier.reset()</c>.</para>
    /// </summary>
    public async Coroutine ResetAsync()
    {
        using (await _cond.AcquireAsync())
        {
            // With tasks inside, the last to leave sets the state back to filling.
            _state = _count > 0 ? State.Resetting : State.Filling;
            _cond.NotifyAll();
        }
    }

    /// <summary>
    /// Breaks the barrier: tasks waiting now and later get a <see cref="BrokenBarrierError"/>.
    /// <para>asyncio: <c>await barrier.abort()</c>.</para>
    /// </summary>
    public async Coroutine AbortAsync()
    {
        using (await _cond.AcquireAsync())
        {
            _state = State.Broken;
            _cond.NotifyAll();
        }
    }

    /// <summary>A trip in progress must drain before new tasks count (asyncio's <c>_block</c>).</summary>
    private async Coroutine BlockWhileDrainingOrResetting()
    {
        await _cond.WaitForAsync(() => _state is not (State.Draining or State.Resetting));
        if (_state == State.Broken) throw new BrokenBarrierError("Barrier aborted");
    }

    /// <summary>The last party arrived: release everyone (asyncio's <c>_release</c>).</summary>
    private void Trip()
    {
        _state = State.Draining;
        _cond.NotifyAll();
    }

    /// <summary>Waits for the trip (asyncio's <c>_wait</c>).</summary>
    private async Coroutine WaitForTrip()
    {
        await _cond.WaitForAsync(() => _state != State.Filling);
        if (_state is State.Broken or State.Resetting) throw new BrokenBarrierError("Abort or reset of barrier");
    }

    /// <summary>The last task out of a drain or reset lets the barrier fill again (asyncio's <c>_exit</c>).</summary>
    private void LeaveAfterWait()
    {
        if (_count != 0) return;
        if (_state is State.Resetting or State.Draining) _state = State.Filling;
        _cond.NotifyAll();
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        string extra = _state.ToString().ToLowerInvariant();
        if (!IsBroken) extra += $", waiters:{NWaiting}/{_parties}";
        return $"<AsyncBarrier [{extra}]>";
    }
}
