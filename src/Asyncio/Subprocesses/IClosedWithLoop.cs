namespace Asyncio;

/// <summary>
/// A resource of the loop's subprocess layer that <see cref="EventLoop.Close"/> releases if it is still open: a pipe
/// transport closes its descriptor, a child still running is killed and reaped. Its protocol or waiters hear
/// nothing: a closed loop runs no callbacks.
/// </summary>
internal interface IClosedWithLoop
{
    /// <summary>Releases the resource; called once, by the closing thread, after the loop stopped for good.</summary>
    void CloseWithLoop();
}
