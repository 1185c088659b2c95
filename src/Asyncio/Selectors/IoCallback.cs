namespace Asyncio;

/// <summary>
/// The callback registered for one direction of one descriptor: queued on the loop each iteration the
/// descriptor is ready, until removed or replaced, which cancels it (asyncio: the <c>Handle</c> that
/// <c>_add_reader</c> keeps in the selector key's data).
/// </summary>
internal sealed class IoCallback
{
    /// <summary>The static invoker.</summary>
    public readonly Action<object?, object?> Invoke;

    /// <summary>First argument of <see cref="Invoke"/>.</summary>
    public readonly object? A;

    /// <summary>Second argument of <see cref="Invoke"/>.</summary>
    public readonly object? B;

    /// <summary>The context the callback runs in: the registering code's (null for the loop's own waiters).</summary>
    public readonly ExecutionContext? Context;

    /// <summary>
    /// Set when the registration is removed or replaced: an entry already queued for this iteration must not
    /// run, as asyncio's cancelled handle does not.
    /// </summary>
    public bool IsCancelled;

    public IoCallback(Action<object?, object?> invoke, object? a, object? b, ExecutionContext? context)
    {
        Invoke = invoke;
        A = a;
        B = b;
        Context = context;
    }

    /// <summary>The ready-queue invoker: runs the callback unless it was cancelled since it was queued.</summary>
    public static readonly Action<object?, object?> RunUnlessCancelled = static (self, _) =>
    {
        var callback = (IoCallback)self!;
        if (!callback.IsCancelled) callback.Invoke(callback.A, callback.B);
    };

    /// <inheritdoc/>
    public override string ToString() => IsCancelled ? "<I/O callback cancelled>" : $"<I/O callback {A}>";
}

/// <summary>
/// The reader and writer registered for one descriptor (asyncio: a selector key's <c>(reader, writer)</c>). A value
/// stored in the loop's map, read, changed and stored back: no object of its own per watched descriptor.
/// </summary>
internal struct FdWatch
{
    /// <summary>Called while the descriptor is readable.</summary>
    public IoCallback? Reader;

    /// <summary>Called while the descriptor is writable.</summary>
    public IoCallback? Writer;

    /// <summary>What the selector watches now: the directions that have a callback.</summary>
    public IoEvents Events => (Reader is null ? IoEvents.None : IoEvents.Read) | (Writer is null ? IoEvents.None : IoEvents.Write);
}
