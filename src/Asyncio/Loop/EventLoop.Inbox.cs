using System.Runtime.CompilerServices;
using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// The loop's cross-thread inbox and its idle wait: callbacks posted from any thread, the <see cref="ISelector"/>
/// an idle loop blocks in (with the next timer as its timeout), and the virtual clock's jumps, which must know
/// what is still in flight outside the loop (asyncio: the self-pipe and <c>selector.select(timeout)</c>).
/// </summary>
public sealed partial class EventLoop
{
    /// <summary>How long a virtual-time loop waits for a foreign await before it lets time jump anyway.</summary>
    private static readonly TimeSpan s_foreignGrace = TimeSpan.FromMilliseconds(20);

    /// <summary>Guards the inbox, <see cref="_idle"/> and <see cref="_wakePending"/>.</summary>
    private readonly object _inboxLock = new();

    /// <summary>Where the loop blocks while idle; woken by posts. Epoll on Linux (see <see cref="DefaultSelector"/>).</summary>
    private readonly ISelector _selector = DefaultSelector.Create();

    /// <summary>Callbacks posted from any thread, moved to the ready queue by the loop thread.</summary>
    private readonly List<ReadyItem> _inbox = new();

    /// <summary>Entries in <see cref="_inbox"/>, read without the lock as a hint.</summary>
    private volatile int _inboxCount;

    /// <summary>True while the loop thread is in (or entering) the selector's wait; a post then wakes the selector.</summary>
    private bool _idle;

    /// <summary>
    /// Set by a wake-up that found the loop busy, so that its next wait returns at once; while the loop is idle,
    /// set once the selector was woken, so that further posts do not wake it again.
    /// </summary>
    private bool _wakePending;

    /// <summary>Foreign awaits not resumed yet: they hold a virtual clock for a short grace.</summary>
    private int _foreignAwaits;

    /// <summary>Jobs the loop knows to be in flight (executor work, I/O): they always hold a virtual clock.</summary>
    private int _jobsInFlight;

    /// <summary>
    /// The longest single idle wait (<see cref="ISelector.Select"/> and timers take at most
    /// <see cref="int.MaxValue"/> milliseconds, about 24 days): a loop whose next timer is farther away wakes
    /// after this and waits again.
    /// </summary>
    private static readonly TimeSpan s_longestWait = TimeSpan.FromMilliseconds(int.MaxValue);

    /// <summary>A timer of a custom <see cref="TimeProvider"/> used to wake the loop for its next timer.</summary>
    private ITimer? _providerTimer;

    /// <summary>Adds a callback from any thread and wakes the loop if it waits.</summary>
    /// <returns>
    /// False when the loop is closed: nothing was posted. Checked under the lock <see cref="Close"/> takes to
    /// set <see cref="_closed"/>, so a post either fails here or is in the inbox Close empties.
    /// </returns>
    private bool PostToInbox(Action<object?, object?> invoke, object? a, object? b, ExecutionContext? context)
    {
        lock (_inboxLock)
        {
            if (_closed) return false;
            _inbox.Add(new ReadyItem { Invoke = invoke, A = a, B = b, Context = context });
            _inboxCount = _inbox.Count;
            WakeLocked();
            return true;
        }
    }

    /// <summary>Stops counting a foreign await that a cancellation abandoned (loop thread): it no longer holds virtual time.</summary>
    internal void ForeignAwaitAbandoned()
    {
        lock (_inboxLock) _foreignAwaits--;
    }

    /// <summary>Posts the callback that ends a foreign await and stops counting it (any thread).</summary>
    internal void PostForeignCompletion(Action<object?, object?> invoke, object? a, object? b) =>
        PostAndStopCounting(ref _foreignAwaits, invoke, a, b);

    /// <summary>Counts a foreign await that has started (loop thread).</summary>
    internal void ForeignAwaitStarted()
    {
        lock (_inboxLock) _foreignAwaits++;
    }

    /// <summary>Counts a job (executor work, I/O) the loop must not jump virtual time past.</summary>
    internal void JobStarted()
    {
        lock (_inboxLock) _jobsInFlight++;
    }

    /// <summary>Posts a job's completion callback and stops counting the job (any thread).</summary>
    internal void PostJobCompletion(Action<object?, object?> invoke, object? a, object? b) =>
        PostAndStopCounting(ref _jobsInFlight, invoke, a, b);

    /// <summary>
    /// Posts a completion and, in the same critical section, stops counting its work as in flight: the loop then
    /// never sees the work gone without its callback queued, so a virtual clock cannot jump in between.
    /// </summary>
    private void PostAndStopCounting(ref int inFlight, Action<object?, object?> invoke, object? a, object? b)
    {
        if (IsLoopThread)
        {
            // Completed on the loop's own thread (a socket stream's wait, say): the loop is not deciding a clock jump
            // meanwhile, so the callback goes straight to the ready queue, one iteration sooner than through the inbox.
            lock (_inboxLock) inFlight--;
            if (!_closed) EnqueueReady(invoke, a, b);
            return;
        }
        lock (_inboxLock)
        {
            inFlight--;
            // Dropped quietly: the completing thread did not ask for this work and must not fail for it. What
            // waits on it is a future of this loop, and the task awaiting that future was dealt with by Close.
            if (_closed) return;
            _inbox.Add(new ReadyItem { Invoke = invoke, A = a, B = b });
            _inboxCount = _inbox.Count;
            WakeLocked();
        }
    }

    /// <summary>Wakes the loop from any thread.</summary>
    private void Wake()
    {
        lock (_inboxLock) WakeLocked();
    }

    private void WakeLocked()
    {
        if (_wakePending) return;
        _wakePending = true;
        if (_idle) _selector.Wake();
    }

    /// <summary>Moves callbacks posted from other threads into the ready queue, keeping their order.</summary>
    private void DrainInbox()
    {
        lock (_inboxLock) DrainInboxLocked();
    }

    private void DrainInboxLocked()
    {
        foreach (ReadyItem item in _inbox) _ready.Enqueue(item.Invoke!, item.A, item.B, item.Context);
        _inbox.Clear();
        _inboxCount = 0;
    }

    /// <summary>
    /// Blocks until a callback is posted, a watched descriptor is ready, or <paramref name="timeout"/> seconds
    /// pass; the ready descriptors' callbacks are queued. On a virtual clock an
    /// idle loop does not wait for its timers: it jumps to the next one, unless work outside the loop is in
    /// flight (jobs hold the clock; foreign awaits hold it for a short grace).
    /// </summary>
    private void WaitForWork(double timeout)
    {
        if (timeout == 0)
        {
            if (_inboxCount != 0) DrainInbox();
            PollDescriptors();
            return;
        }
        // A job in flight (an executor's) often finishes within microseconds: spinning briefly for its
        // completion saves the kernel wake-up of the wait below (twice the to_thread round trips per second).
        if (Volatile.Read(ref _jobsInFlight) > 0) SpinForInbox();
        lock (_inboxLock)
        {
            if (_inbox.Count == 0 && !_wakePending) _idle = true;
            else
            {
                _wakePending = false;
                DrainInboxLocked();
            }
        }
        if (!_idle)
        {
            PollDescriptors();
            return;
        }
        try
        {
            if (_virtualClock is not null) WaitVirtual(timeout);
            else WaitReal(timeout);
        }
        finally
        {
            lock (_inboxLock)
            {
                _idle = false;
                _wakePending = false;
                DrainInboxLocked();
            }
        }
    }

    private void SpinForInbox()
    {
        var spinner = new SpinWait();
        for (int i = 0; i < 30 && _inboxCount == 0; i++) spinner.SpinOnce(sleep1Threshold: -1);
    }

    private void WaitReal(double timeout)
    {
        if (double.IsPositiveInfinity(timeout)) IdleWait(Timeout.InfiniteTimeSpan);
        else if (_systemClock) IdleWait(LongestWaitOr(Math.Ceiling(timeout * 1000) / 1000));
        else
        {
            // A custom clock moves on its own terms: let it wake the loop through one of its timers.
            _providerTimer ??= TimeProvider.CreateTimer(static self => ((EventLoop)self!).Wake(), this,
                Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _providerTimer.Change(LongestWaitOr(timeout), Timeout.InfiniteTimeSpan);
            IdleWait(Timeout.InfiniteTimeSpan);
        }
    }

    private static TimeSpan LongestWaitOr(double seconds) =>
        seconds < s_longestWait.TotalSeconds ? TimeSpan.FromSeconds(seconds) : s_longestWait;

    private void WaitVirtual(double timeout)
    {
        if (Volatile.Read(ref _jobsInFlight) > 0)
        {
            IdleWait(Timeout.InfiniteTimeSpan);
            return;
        }
        // Foreign awaits and socket operations waiting on this loop's selector hold the clock for a short grace:
        // bytes in flight on loopback arrive within it. Descriptors merely watched (a listening server's reader)
        // hold nothing, but are polled, so that what is ready already runs before time moves.
        if (Volatile.Read(ref _foreignAwaits) > 0 || _socketWaits > 0) IdleWait(s_foreignGrace);
        else PollDescriptors();
        if (_ready.Count != 0) return;
        bool advanced;
        lock (_inboxLock)
        {
            // Decided under the lock that completions are posted under: nothing outside the loop can finish
            // between this check and the jump, so time never moves past work that was just completed.
            if (_wakePending || _inbox.Count != 0 || _jobsInFlight > 0) return;
            // A timer past the clock's range (or at infinity) never becomes due: wait for a post instead.
            advanced = _virtualClock!.TryAdvanceSeconds(timeout);
        }
        if (!advanced) IdleWait(Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Queues the callbacks of the watched descriptors that are ready, without blocking: a loop that does not
    /// wait (work is ready or was just posted) still looks at its descriptors every iteration, as asyncio selects
    /// with a zero timeout, so that a busy loop never starves its I/O. Skipped when nothing is watched.
    /// </summary>
    private void PollDescriptors()
    {
        // Callbacks found ready by an earlier poll go first: the kernel is asked again once they have all run.
        if (_ioReady.Count != 0) QueueReadyIo();
        else if (_watches.Count != 0) DispatchReady(_selector.Select(TimeSpan.Zero));
    }

    /// <summary>
    /// Blocks in the selector, then queues the callbacks of the descriptors it found ready; called without the
    /// inbox lock, with <see cref="_idle"/> set.
    /// </summary>
    private void IdleWait(TimeSpan timeout) => DispatchReady(_selector.Select(timeout));
}
