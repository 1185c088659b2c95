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
