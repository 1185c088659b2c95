namespace Asyncio;

/// <summary>
/// Work that a thread outside the loop waits for (a <c>RunCoroutineThreadsafe</c> submission, a
/// <see cref="Task"/> bridged from a loop task, a synchronous <c>Send</c>): when <see cref="EventLoop.Close"/>
/// drops it before it could finish, it is told so, and ends what the outside thread waits on instead of
/// leaving it pending forever.
/// </summary>
/// <remarks>
/// <see cref="EventLoop.Close"/> looks for it in the arguments of every callback it drops (still in the inbox
/// or the ready queue) and among the listeners of every task still pending. Only the closing thread calls
/// it, once nothing can be posted any more.
/// </remarks>
internal interface IDroppedAtClose
{
    /// <summary>The loop closed before the work finished: end the outside waiter's wait (usually cancelled).</summary>
    void OnDroppedAtClose();
}
