namespace Asyncio;

/// <summary>
/// Thrown by <see cref="AsyncQueue{T}.GetNowait"/> when the queue has no item.
/// <para>asyncio: <c>asyncio.QueueEmpty</c>.</para>
/// </summary>
public class QueueEmpty : Exception
{
    /// <summary>Creates the error.</summary>
    public QueueEmpty() : base("The queue is empty.") { }
}
