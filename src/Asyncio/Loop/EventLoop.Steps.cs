using System.Runtime.CompilerServices;

namespace Asyncio;

// The state a task step uses on the loop, with one way in for each piece, as CPython changes the current task only
// through tasks._enter_task / _leave_task: nothing outside this file writes these fields.
public sealed partial class EventLoop
{
    /// <summary>
    /// The task whose step is running (asyncio: <c>_current_tasks[loop]</c>). Written only by <see cref="EnterTask"/>
    /// and <see cref="LeaveTask"/>, as asyncio changes it only in <c>_enter_task</c> / <c>_leave_task</c>.
    /// </summary>
    private AioTask? _currentTask;

    /// <summary>The next coroutine to resume inside the current step; written only by <see cref="HandOver"/>.</summary>
    private AioTask? _next;

    /// <summary>
    /// An exception the awaiter being resumed must throw (a cancellation, or a refused await): set only by
    /// <see cref="EnterTask"/>, taken by <see cref="ThrowIfResumeInterrupted"/>.
    /// </summary>
    private Exception? _pendingThrow;

    /// <summary>
    /// The ready-queue entry (its sequence number) whose task step ended last with <see cref="_contextLeftByStep"/>
    /// on the thread, or <see cref="long.MinValue"/> when other code may have changed the thread's context since.
    /// </summary>
    private long _contextLeftAtEntry = long.MinValue;

    /// <summary>The <see cref="ExecutionContext"/> the last task step left on the loop thread (captured at its end).</summary>
    private ExecutionContext? _contextLeftByStep;

    /// <summary>
    /// True when the loop thread already holds <paramref name="context"/>, so that a task step in it need not restore
    /// it: restoring, like capturing, reads the current thread from thread-local storage, a call on Linux, and a
    /// spawned task's steps were a seventh faster without both. The context is known only when the entry running
    /// now directly follows, in the ready queue, a task step that ended in it. That holds because every entry a step
    /// runs from (a task's first step, a resumption after a loop await, a future's wake-up, a timer, a foreign
    /// completion) ends with the step, so no other code runs between the step's capture and the next entry; whatever
    /// else could change the context forgets it (an entry with a context of its own, an exception handler, debug
    /// mode's timing, the work between iterations). Debug builds check the answer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool ThreadHoldsContext(ExecutionContext context)
    {
        bool holds = _contextLeftAtEntry == _ready.LastDequeuedId - 1 && ReferenceEquals(_contextLeftByStep, context);
        System.Diagnostics.Debug.Assert(!holds || ReferenceEquals(ExecutionContext.Capture(), context),
            "the loop thread holds the context the last task step left");
        return holds;
    }

    /// <summary>A task step ended with <paramref name="context"/> on the loop thread (see <see cref="ThreadHoldsContext"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void StepLeftContext(ExecutionContext? context)
    {
        _contextLeftAtEntry = _ready.LastDequeuedId;
        if (!ReferenceEquals(_contextLeftByStep, context)) _contextLeftByStep = context;
    }

    /// <summary>Code other than a task step may have changed the loop thread's context.</summary>
    private void ForgetThreadContext() => _contextLeftAtEntry = long.MinValue;

    /// <summary>At the loop's close: forgets the last step's context and drops it, so a closed loop keeps no AsyncLocal values alive.</summary>
    private void ReleaseThreadContext()
    {
        ForgetThreadContext();
        _contextLeftByStep = null;
    }

    /// <summary>
    /// Makes <paramref name="task"/> the current task for one step (asyncio: <c>_enter_task</c>);
    /// <paramref name="throwAtResume"/>, if any, is thrown by the loop awaiter the step resumes.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another task's step is running.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void EnterTask(AioTask task, Exception? throwAtResume)
    {
        if (_currentTask is not null) ThrowTaskAlreadyRunning(task);
        System.Diagnostics.Debug.Assert(_pendingThrow is null, "the last step left nothing to throw");
        _currentTask = task;
        // LeaveTask clears it: store only an exception (a null store would only cost a write barrier).
        if (throwAtResume is not null) _pendingThrow = throwAtResume;
    }

    /// <summary>Ends the step of <paramref name="task"/> (asyncio: <c>_leave_task</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void LeaveTask(AioTask task)
    {
        System.Diagnostics.Debug.Assert(ReferenceEquals(_currentTask, task), "a step leaves the task it entered");
        System.Diagnostics.Debug.Assert(_pendingThrow is null, "a resumed loop awaiter always takes the pending throw");
        _pendingThrow = null;
        _currentTask = null;
    }

    private void ThrowTaskAlreadyRunning(AioTask task) => throw new InvalidOperationException(
        $"Cannot enter into task {task} while another task {_currentTask} is being executed.");

    /// <summary>
    /// Makes <paramref name="next"/> the coroutine <see cref="RunCoroutines"/> resumes when the running one
    /// returns from <c>MoveNext</c>: a child it starts, or the parent it completes into.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void HandOver(AioTask next)
    {
        System.Diagnostics.Debug.Assert(_next is null, "one hand-over per MoveNext");
        _next = next;
    }

    /// <summary>
    /// Throws the pending exception for the awaiter being resumed, if any: called first by every loop
    /// awaiter's <c>GetResult</c>, which is how a cancellation lands at the <c>await</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ThrowIfResumeInterrupted()
    {
        if (_pendingThrow is not null) ThrowPending();
    }

    private void ThrowPending()
    {
        Exception error = _pendingThrow!;
        _pendingThrow = null;
        throw error;
    }

    /// <summary>
    /// Runs <paramref name="coroutine"/>, then each coroutine it hands over to (a child it starts, a parent it
    /// completes into), until the task suspends: a trampoline that keeps the stack flat however deep the
    /// chain of awaited coroutines.
    /// </summary>
    internal void RunCoroutines(AioTask coroutine)
    {
        AioTask? saved = _next;
        _next = null;
        coroutine.MoveNext();
        while (_next is { } next)
        {
            _next = null;
            next.MoveNext();
        }
        _next = saved;
    }
}
