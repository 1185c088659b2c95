namespace Asyncio;

/// <summary>
/// The operation was cancelled: raised at the <c>await</c> where a task's cancellation is delivered,
/// and by <see cref="Future.Exception"/> or <c>Result()</c> on a cancelled future.
/// <para>asyncio: <c>asyncio.CancelledError</c>.</para>
/// </summary>
/// <remarks>
/// It derives from <see cref="OperationCanceledException"/> so that .NET code which already treats
/// cancellation specially keeps doing so. As in Python, catching it and carrying on is allowed, but
/// a coroutine that does so should usually call <see cref="AioTask.Uncancel"/> or re-throw.
/// </remarks>
public class CancelledError : OperationCanceledException
{
    private const string DefaultMessage = "The operation was cancelled.";

    /// <summary>Creates a cancellation without a message (<c>CancelledError()</c>).</summary>
    public CancelledError() : base(DefaultMessage) { }

    /// <summary>Creates a cancellation carrying <paramref name="message"/> (<c>CancelledError(msg)</c>).</summary>
    /// <param name="message">The message given to <c>Cancel(msg)</c>, or null for none.</param>
    public CancelledError(string? message) : base(message ?? DefaultMessage)
    {
        CancelMessage = message;
    }

    /// <summary>Creates a cancellation with a message and the exception that caused it.</summary>
    /// <param name="message">The cancel message, or null.</param>
    /// <param name="inner">The exception that caused this cancellation.</param>
    public CancelledError(string? message, Exception? inner) : base(message ?? DefaultMessage, inner)
    {
        CancelMessage = message;
    }

    /// <summary>
    /// The message passed to <c>Cancel(msg)</c>, or null when none was given.
    /// <para>asyncio: <c>CancelledError.args</c> (empty when no message was given).</para>
    /// </summary>
    public string? CancelMessage { get; }
}
