namespace Asyncio.Greenlets;

/// <summary>
/// gevent's model on the event loop: spawned greenlets (<see cref="GeventGreenlet"/>) that cooperate by waiting,
/// with the running <see cref="EventLoop"/> as the hub.
/// <para>gevent: the <c>gevent</c> module (<c>spawn</c>, <c>sleep</c>, <c>joinall</c>, <c>wait</c>, <c>Timeout</c>).</para>
/// </summary>
/// <remarks>
/// gevent monkey-patches the standard library so that blocking calls switch to the hub. Nothing needs patching
/// here: .NET's and this library's asynchronous APIs already are the cooperative calls, and awaiting one inside a
/// spawned greenlet parks its task while the loop runs the others. A blocking call (<c>Thread.Sleep</c>, a
/// synchronous read) blocks the loop, as an unpatched call blocks gevent's hub.
/// </remarks>
public static class Gevent
{
    /// <summary>
    /// Spawns <paramref name="run"/> as a greenlet of its own, started with <paramref name="arg"/> on the next loop
    /// iteration. Its value or exception is kept on the returned greenlet; an exception is also reported to the loop's
    /// exception handler ("&lt;Greenlet ...&gt; failed with ..."), never lost.
    /// <para>gevent: <c>gevent.spawn(run, arg)</c>.</para>
    /// </summary>
    /// <param name="run">The body: its return value becomes <see cref="GeventGreenlet.Value"/>.</param>
    /// <param name="arg">What the body receives.</param>
    /// <exception cref="ArgumentNullException"><paramref name="run"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No event loop is running on this thread.</exception>
    public static GeventGreenlet Spawn(Func<object?, Coroutine<object?>> run, object? arg = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new GeventGreenlet(run, arg);
    }

    /// <summary>
    /// Parks the current greenlet for <paramref name="seconds"/> while the loop runs the others (0: one trip through
    /// the loop). A kill of the current greenlet surfaces here as its own exception (<see cref="GreenletExit"/>).
    /// <para>gevent: <c>gevent.sleep(seconds=0)</c>.</para>
    /// </summary>
    /// <param name="seconds">How long; zero or less yields once.</param>
    public static async Coroutine Sleep(double seconds = 0)
    {
        try
        {
            await Aio.Sleep(seconds);
        }
        catch (CancelledError) when (GeventGreenlet.TakeCurrentKill() is { } kill)
        {
            throw kill;
        }
    }

    /// <summary>
    /// Waits until <paramref name="count"/> of <paramref name="greenlets"/> are dead (all of them when null), or
    /// <paramref name="timeout"/> seconds have passed, and returns those that are dead, in the order they died (the
    /// already dead first, in the given order), at most <paramref name="count"/>.
    /// <para>gevent: <c>gevent.wait(objects, timeout, count)</c>.</para>
    /// </summary>
    /// <param name="greenlets">What to wait for.</param>
    /// <param name="timeout">Seconds to wait at most; null waits as long as it takes.</param>
    /// <param name="count">How many must be dead; null for all.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static Coroutine<IReadOnlyList<GeventGreenlet>> Wait(IEnumerable<GeventGreenlet> greenlets, double? timeout = null, int? count = null)
    {
        List<GeventGreenlet> list = Validated(greenlets);
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "count must not be negative");
        return WaitCore(list, timeout, Math.Min(count ?? list.Count, list.Count), raiseError: false);
    }

    /// <summary>
    /// Waits until every greenlet is dead, or <paramref name="timeout"/> seconds have passed, and returns those that
    /// are dead. With <paramref name="raiseError"/>, the first one that fails throws its exception here at once.
    /// <para>gevent: <c>gevent.joinall(greenlets, timeout, raise_error)</c>.</para>
    /// </summary>
    /// <param name="greenlets">What to wait for.</param>
    /// <param name="timeout">Seconds to wait at most; null waits as long as it takes.</param>
    /// <param name="raiseError">Throw the exception of the first greenlet that fails.</param>
    public static Coroutine<IReadOnlyList<GeventGreenlet>> JoinAll(IEnumerable<GeventGreenlet> greenlets, double? timeout = null, bool raiseError = false)
    {
        List<GeventGreenlet> list = Validated(greenlets);
        return WaitCore(list, timeout, list.Count, raiseError);
    }

    /// <summary>
    /// Runs <paramref name="body"/> inline; if it is still running after <paramref name="seconds"/>, throws
    /// <paramref name="exception"/> (a <see cref="GeventTimeout"/> when null) in it, at its pending await, and out of
    /// this call. Nests; an inner timeout's exception passes an outer one unchanged.
    /// <para>gevent: <c>with gevent.Timeout(seconds, exception):</c>.</para>
    /// </summary>
    /// <param name="seconds">The delay; null for none.</param>
    /// <param name="body">The block.</param>
    /// <param name="exception">What the expiry throws; a new <see cref="GeventTimeout"/> when null.</param>
    /// <exception cref="GeventTimeout">The delay passed while the body ran (unless <paramref name="exception"/> is given).</exception>
    public static async Coroutine<T> Timeout<T>(double? seconds, Func<Coroutine<T>> body, Exception? exception = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        TimeoutHandle? handle = null;
        try
        {
            return await Aio.Timeout(seconds, h =>
            {
                handle = h;
                return body();
            });
        }
        catch (TimeoutException expired) when (handle is { Expired: true } && expired is not GeventTimeout)
        {
            // asyncio's timeout cancelled the task and turned the cancellation into TimeoutException on the way out:
            // gevent's Timeout is the exception thrown instead.
            throw exception ?? new GeventTimeout(seconds);
        }
    }

    /// <inheritdoc cref="Timeout{T}(double?, Func{Coroutine{T}}, Exception?)"/>
    public static Coroutine Timeout(double? seconds, Func<Coroutine> body, Exception? exception = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return Timeout(seconds, async () =>
        {
            await body();
            return true;
        }, exception);
    }

    private static List<GeventGreenlet> Validated(IEnumerable<GeventGreenlet> greenlets)
    {
        ArgumentNullException.ThrowIfNull(greenlets);
        var list = greenlets.ToList();
        if (list.Contains(null!)) throw new ArgumentException("a greenlet in the list is null", nameof(greenlets));
        return list;
    }

    /// <summary>
    /// The wait behind <see cref="Wait"/>, <see cref="JoinAll"/> and <see cref="GeventGreenlet.JoinAsync"/>: one future
    /// completed by the greenlets' deaths (or the first failure) or by a timer.
    /// </summary>
    private static async Coroutine<IReadOnlyList<GeventGreenlet>> WaitCore(List<GeventGreenlet> greenlets, double? timeout, int count, bool raiseError)
    {
        var dead = new List<GeventGreenlet>(count);
        foreach (GeventGreenlet g in greenlets)
        {
            if (!g.IsDead) continue;
            if (raiseError && g.Exception is { } failed) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failed);
            if (dead.Count < count) dead.Add(g);
        }
        if (dead.Count >= count || timeout <= 0) return dead;

        EventLoop loop = Aio.GetRunningLoop();
        Future<object?> wake = loop.CreateFuture();
        Action<GeventGreenlet> onDeath = g =>
        {
            if (wake.IsDone) return;
            if (raiseError && g.Exception is not null)
            {
                wake.SetResult(g);
                return;
            }
            dead.Add(g);
            if (dead.Count >= count) wake.SetResult(null);
        };
        var waitingOn = new List<GeventGreenlet>();
        foreach (GeventGreenlet g in greenlets)
        {
            if (g.IsDead) continue;
            g.AddDeathListener(onDeath);
            waitingOn.Add(g);
        }
        TimerHandle? timer = timeout is { } t ? loop.CallLater(t, () => { if (!wake.IsDone) wake.SetResult(null); }) : null;
        try
        {
            await wake;
        }
        catch (CancelledError) when (GeventGreenlet.TakeCurrentKill() is { } kill)
        {
            throw kill;
        }
        finally
        {
            timer?.Cancel();
            foreach (GeventGreenlet g in waitingOn) g.RemoveDeathListener(onDeath);
        }
        if (wake.Result() is GeventGreenlet failure) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure.Exception!);
        return dead;
    }
}

/// <summary>
/// What <see cref="Gevent.Timeout{T}(double?, Func{Coroutine{T}}, Exception?)"/> throws when the delay passes, and
/// <see cref="GeventGreenlet.GetAsync"/> when the greenlet is still alive after its timeout.
/// <para>gevent: <c>gevent.Timeout</c> (the exception).</para>
/// </summary>
public class GeventTimeout : TimeoutException
{
    /// <summary>A timeout of <paramref name="seconds"/> (null: unknown).</summary>
    public GeventTimeout(double? seconds) : base(seconds is { } s ? $"{s.ToString(System.Globalization.CultureInfo.InvariantCulture)} second{(s == 1 ? "" : "s")}" : "timeout")
    {
        Seconds = seconds;
    }

    /// <summary>A timeout with a message.</summary>
    public GeventTimeout(string? message, Exception? innerException) : base(message, innerException) { }

    /// <summary>The delay that passed, when known.</summary>
    public double? Seconds { get; }
}
