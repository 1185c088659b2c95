namespace Asyncio;

// asyncio.timeout / asyncio.timeout_at: a block whose deadline cancels it and leaves it as TimeoutException.
public static partial class Aio
{
    /// <summary>
    /// Runs <paramref name="body"/> inline with a deadline <paramref name="delay"/> seconds from now (null: none).
    /// When the deadline passes, the task is cancelled; the resulting <see cref="CancelledError"/> leaves the
    /// block as <see cref="TimeoutException"/>. Other cancellations pass through unchanged. Nests.
    /// <para>asyncio: <c>async with asyncio.timeout(delay):</c>.</para>
    /// </summary>
    /// <param name="delay">Seconds from the moment the block starts; null for no deadline; zero or less expires at the next iteration.</param>
    /// <param name="body">The block.</param>
    /// <exception cref="ArgumentException"><paramref name="delay"/> is NaN (thrown at the call).</exception>
    /// <exception cref="TimeoutException">The deadline passed while the body ran.</exception>
    /// <exception cref="InvalidOperationException">No task is running (thrown when awaited).</exception>
    public static Coroutine Timeout(double? delay, Func<Coroutine> body) => RunWithTimeout(delay, relative: true, body);

    /// <inheritdoc cref="Timeout(double?, Func{Coroutine})"/>
    /// <typeparam name="T">The body's result type.</typeparam>
    public static Coroutine<T> Timeout<T>(double? delay, Func<Coroutine<T>> body) => RunWithTimeout(delay, relative: true, body);

    /// <summary>
    /// Like <see cref="Timeout(double?, Func{Coroutine})"/>, for a body that uses the <see cref="TimeoutHandle"/>
    /// (<see cref="TimeoutHandle.Reschedule"/>, <see cref="TimeoutHandle.When"/>, <see cref="TimeoutHandle.Expired"/>).
    /// <para>asyncio: <c>async with asyncio.timeout(delay) as cm:</c>.</para>
    /// </summary>
    /// <typeparam name="T">The body's result type.</typeparam>
    /// <param name="delay">Seconds from now; null for no deadline.</param>
    /// <param name="body">The block, given the handle.</param>
    public static Coroutine<T> Timeout<T>(double? delay, Func<TimeoutHandle, Coroutine<T>> body) => RunWithTimeout(delay, relative: true, body);

    /// <inheritdoc cref="Timeout{T}(double?, Func{TimeoutHandle, Coroutine{T}})"/>
    public static Coroutine Timeout(double? delay, Func<TimeoutHandle, Coroutine> body) => RunWithTimeout(delay, relative: true, body);

    /// <inheritdoc cref="Timeout(double?, Func{Coroutine})"/>
    public static Coroutine Timeout(TimeSpan delay, Func<Coroutine> body) => Timeout(delay.TotalSeconds, body);

    /// <inheritdoc cref="Timeout{T}(double?, Func{Coroutine{T}})"/>
    public static Coroutine<T> Timeout<T>(TimeSpan delay, Func<Coroutine<T>> body) => Timeout(delay.TotalSeconds, body);

    /// <inheritdoc cref="Timeout{T}(double?, Func{TimeoutHandle, Coroutine{T}})"/>
    public static Coroutine<T> Timeout<T>(TimeSpan delay, Func<TimeoutHandle, Coroutine<T>> body) => Timeout(delay.TotalSeconds, body);

    /// <inheritdoc cref="Timeout(double?, Func{TimeoutHandle, Coroutine})"/>
    public static Coroutine Timeout(TimeSpan delay, Func<TimeoutHandle, Coroutine> body) => Timeout(delay.TotalSeconds, body);

    /// <summary>
    /// Runs <paramref name="body"/> inline with an absolute deadline in loop time (<see cref="EventLoop.Time"/>);
    /// see <see cref="Timeout(double?, Func{Coroutine})"/>.
    /// <para>asyncio: <c>async with asyncio.timeout_at(when):</c>.</para>
    /// </summary>
    /// <param name="when">The deadline in loop time; null for none.</param>
    /// <param name="body">The block.</param>
    /// <exception cref="ArgumentException"><paramref name="when"/> is NaN (thrown at the call).</exception>
    public static Coroutine TimeoutAt(double? when, Func<Coroutine> body) => RunWithTimeout(when, relative: false, body);

    /// <inheritdoc cref="TimeoutAt(double?, Func{Coroutine})"/>
    /// <typeparam name="T">The body's result type.</typeparam>
    public static Coroutine<T> TimeoutAt<T>(double? when, Func<Coroutine<T>> body) => RunWithTimeout(when, relative: false, body);

    /// <inheritdoc cref="TimeoutAt(double?, Func{Coroutine})"/>
    /// <typeparam name="T">The body's result type.</typeparam>
    public static Coroutine<T> TimeoutAt<T>(double? when, Func<TimeoutHandle, Coroutine<T>> body) =>
        RunWithTimeout(when, relative: false, body);

    /// <inheritdoc cref="TimeoutAt(double?, Func{Coroutine})"/>
    public static Coroutine TimeoutAt(double? when, Func<TimeoutHandle, Coroutine> body) => RunWithTimeout(when, relative: false, body);

    // The four body shapes end in one RunWithTimeout; a body returning nothing is a Coroutine<VoidResult> underneath.

    private static Coroutine RunWithTimeout(double? when, bool relative, Func<Coroutine> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return RunWithTimeout<VoidResult>(NewTimeoutHandle(when, relative), _ => body().AsVoid());
    }

    private static Coroutine<T> RunWithTimeout<T>(double? when, bool relative, Func<Coroutine<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return RunWithTimeout(NewTimeoutHandle(when, relative), _ => body());
    }

    private static Coroutine<T> RunWithTimeout<T>(double? when, bool relative, Func<TimeoutHandle, Coroutine<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return RunWithTimeout(NewTimeoutHandle(when, relative), body);
    }

    private static Coroutine RunWithTimeout(double? when, bool relative, Func<TimeoutHandle, Coroutine> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return RunWithTimeout<VoidResult>(NewTimeoutHandle(when, relative), h => body(h).AsVoid());
    }

    /// <summary>A handle for a block, refusing a NaN at the call under the caller's parameter name.</summary>
    private static TimeoutHandle NewTimeoutHandle(double? when, bool relative)
    {
        EventLoop.ThrowIfNaN(when, relative ? "delay" : "when");
        return new TimeoutHandle(when, relative);
    }

    /// <summary>The block: enter, run the body inline, and let the handle decide what leaves (asyncio's <c>__aexit__</c>).</summary>
    private static async Coroutine<T> RunWithTimeout<T>(TimeoutHandle handle, Func<TimeoutHandle, Coroutine<T>> body)
    {
        handle.Enter();
        T result;
        try
        {
            result = await body(handle);
        }
        catch (Exception error)
        {
            if (handle.Exit(error) is { } timedOut) throw timedOut;
            throw;
        }
        handle.Exit(null);
        return result;
    }
}
