namespace Asyncio;

/// <summary>
/// Thrown by puts on a queue that was shut down, and by gets once it is also empty (or at once after an
/// immediate shutdown).
/// <para>asyncio: <c>asyncio.QueueShutDown</c> (Python 3.13).</para>
/// </summary>
public class QueueShutDown : Exception
{
    /// <summary>Creates the error.</summary>
    public QueueShutDown() : base("The queue was shut down.") { }
}
