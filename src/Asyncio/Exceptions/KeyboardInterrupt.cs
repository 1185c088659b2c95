namespace Asyncio;

/// <summary>
/// The program was interrupted with Ctrl-C (SIGINT): thrown by <see cref="Aio.Run{T}(Coroutine{T}, bool?, bool)"/>
/// and <see cref="AioRunner.Run{T}(Coroutine{T})"/> when the first SIGINT cancelled the main task and the main task
/// ended cancelled. Its <see cref="Exception.InnerException"/> is that <see cref="CancelledError"/> (Python's
/// <c>__context__</c>).
/// <para>Python: <c>KeyboardInterrupt</c>, as raised by <c>asyncio.Runner.run</c>.</para>
/// </summary>
/// <remarks>
/// Python's <c>KeyboardInterrupt</c> is a <c>BaseException</c>, outside <c>except Exception</c>; every .NET exception
/// derives from <see cref="Exception"/>, so this one does too. It is not a <see cref="CancelledError"/>: the
/// interruption was delivered to the main task as a cancellation, and what leaves the runner is the interruption.
/// </remarks>
public class KeyboardInterrupt : Exception
{
    private const string DefaultMessage = "The program was interrupted (SIGINT).";

    /// <summary>Creates an interruption with the default message.</summary>
    public KeyboardInterrupt() : base(DefaultMessage) { }

    /// <summary>Creates an interruption with <paramref name="message"/>.</summary>
    /// <param name="message">The message, or null for the default.</param>
    public KeyboardInterrupt(string? message) : base(message ?? DefaultMessage) { }

    /// <summary>Creates an interruption with a message and the exception it ended (the main task's cancellation).</summary>
    /// <param name="message">The message, or null for the default.</param>
    /// <param name="inner">The exception the interruption replaced.</param>
    public KeyboardInterrupt(string? message, Exception? inner) : base(message ?? DefaultMessage, inner) { }
}
