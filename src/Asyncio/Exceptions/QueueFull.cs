namespace Asyncio;

/// <summary>
/// Thrown by <see cref="AsyncQueue{T}.PutNowait"/> when the queue holds <see cref="AsyncQueue{T}.MaxSize"/> items.
/// <para>asyncio: <c>asyncio.QueueFull</c>.</para>
/// </summary>
public class QueueFull : Exception
{
    /// <summary>Creates the error.</summary>
    public QueueFull() : base("The queue is full.") { }
}
