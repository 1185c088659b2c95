namespace Asyncio;

/// <summary>
/// The loop a primitive is bound to: none until it first needs to wait, then the loop running at that
/// moment, for good.
/// <para>asyncio: <c>mixins._LoopBoundMixin</c>.</para>
/// </summary>
internal struct LoopBinding
{
    /// <summary>The loop the primitive waits on, once it has waited.</summary>
    private EventLoop? _loop;

    /// <summary>The bound loop, or null before the first wait.</summary>
    public readonly EventLoop? Loop => _loop;

    /// <summary>The running loop, binding the primitive to it on first use.</summary>
    /// <exception cref="InvalidOperationException">No loop is running, or the primitive is bound to another loop.</exception>
    public EventLoop Get(object owner)
    {
        EventLoop loop = EventLoop.RunningOrNull
            ?? throw new InvalidOperationException($"{owner} needs a running event loop to wait on");
        _loop ??= loop;
        if (_loop != loop) throw new InvalidOperationException($"{owner} is bound to a different event loop");
        return loop;
    }

    /// <summary>
    /// In debug mode, throws when called from a thread other than the one running the bound loop: every
    /// operation that changes the primitive's state calls it first. Before the first wait nothing is bound
    /// and nothing is checked, as asyncio only checks when a future is involved.
    /// <para>asyncio: <c>loop._check_thread()</c>, reached through <c>call_soon</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">Debug mode, and the loop runs on another thread.</exception>
    public readonly void CheckThread(object owner) => _loop?.CheckThread(owner);
}
