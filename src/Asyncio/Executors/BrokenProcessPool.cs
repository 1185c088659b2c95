namespace Asyncio;

/// <summary>
/// A worker process died (or could not be started): the job it was running fails with this error, so do
/// the jobs still queued, and the <see cref="ProcessPoolExecutor"/> refuses new work (<see cref="ProcessPoolExecutor.IsBroken"/>).
/// <para>asyncio: <c>concurrent.futures.process.BrokenProcessPool</c>.</para>
/// </summary>
public sealed class BrokenProcessPool : BrokenExecutor
{
    /// <summary>Creates the error.</summary>
    /// <param name="message">What broke.</param>
    /// <param name="innerException">The failure, if one was caught.</param>
    public BrokenProcessPool(string message, Exception? innerException = null) : base(message, innerException) { }
}
