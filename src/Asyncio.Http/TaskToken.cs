namespace Asyncio.Http;

/// <summary>The cancellation token of the task running now, handed to every .NET operation a request awaits.</summary>
internal static class TaskToken
{
    /// <summary>
    /// The current task's <see cref="AioTask.CancellationToken"/>: cancelling the task then stops the operation
    /// (the connection is closed), not only the await. None outside a task.
    /// </summary>
    /// <remarks>Read afresh before each operation: a task whose cancellation was withdrawn gets a new token.</remarks>
    public static CancellationToken Current()
    {
        try
        {
            return Aio.CurrentTask()?.CancellationToken ?? CancellationToken.None;
        }
        catch (InvalidOperationException)
        {
            // No loop runs on this thread: plain .NET code reading a body.
            return CancellationToken.None;
        }
    }
}
