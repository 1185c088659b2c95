using System.Diagnostics;

namespace Asyncio.Tests.Loop;

/// <summary>Timers, handles and the loop clock (behaviours B121-B123).</summary>
public class TimerTests
{
    // B121
    [Fact]
    public void Timers_RunInDeadlineOrder_NegativeDelaysIncluded()
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<string>();
        loop.CallLater(-1, log.Add, "a");
        loop.CallLater(-2, log.Add, "b");
        loop.CallLater(0.02, log.Add, "d");
        loop.CallLater(0.01, log.Add, "c");
        loop.CallLater(0.03, loop.Stop);
        loop.RunForever();

        Assert.Equal(["b", "a", "c", "d"], log);
        loop.Close();
    }

    // B121: asyncio leaves the order of equal deadlines undefined (its heap runs 20 of them as
    // [0, 2, 6, 14, 13, ...]); our heap breaks ties by scheduling order, one of the orders asyncio allows.
    [Fact]
    public void Timers_WithEqualDeadlines_RunInSchedulingOrder()
    {
        var loop = TestLoop.NewVirtual();
        var order = new List<int>();
        double when = loop.Time() + 0.01;
        for (int i = 0; i < 20; i++) loop.CallAt(when, order.Add, i);
        loop.CallAt(when + 0.01, loop.Stop);
        loop.RunForever();

        Assert.Equal(Enumerable.Range(0, 20), order);
        loop.Close();
    }

    // B122
    [Fact]
    public void CallLaterZero_RunsAfterCallSoonCallbacksQueuedBeforeTheNextIteration()
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<string>();
        loop.CallLater(0, log.Add, "later0");
        loop.CallSoon(log.Add, "soon");
        loop.CallSoon(loop.Stop);
        loop.RunForever();

        Assert.Equal(["soon", "later0"], log);
        loop.Close();
    }

    // B123: Handle is a struct; the loop remembers the cancellation, so IsCancelled stays true after the
    // iteration that skipped the callback.
    [Fact]
    public void CancelledHandles_DoNotRun_AndStayCancelled()
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<string>();
        Handle soon = loop.CallSoon(log.Add, "soon");
        TimerHandle later = loop.CallLater(0.01, log.Add, "later");
        Handle threadsafe = loop.CallSoonThreadsafe(log.Add, "threadsafe");
        soon.Cancel();
        later.Cancel();
        threadsafe.Cancel();
        loop.CallLater(0.02, loop.Stop);
        loop.RunForever();

        Assert.Empty(log);
        Assert.True(soon.IsCancelled);
        Assert.True(later.IsCancelled);
        Assert.True(threadsafe.IsCancelled);
        Handle timerAsHandle = later;
        Assert.True(timerAsHandle.IsCancelled);
        Assert.Same(later, timerAsHandle.Timer);
        loop.Close();
    }

    // B123: as in asyncio, cancelled() turns true even when cancel() comes after the callback ran.
    [Fact]
    public void HandlesCancelledAfterTheirCallbackRan_ReportCancelled()
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<string>();
        Handle soon = loop.CallSoon(log.Add, "soon");
        TimerHandle later = loop.CallLater(0, log.Add, "later");
        Handle threadsafe = loop.CallSoonThreadsafe(log.Add, "threadsafe");
        loop.RunOnce();
        Assert.Equal(["soon", "threadsafe", "later"], log);

        soon.Cancel();
        later.Cancel();
        threadsafe.Cancel();
        Assert.True(soon.IsCancelled);
        Assert.True(later.IsCancelled);
        Assert.True(threadsafe.IsCancelled);
        loop.Close();
    }

    // B123
    [Fact]
    public void TimerHandleWhen_IsTheAbsoluteLoopTime()
    {
        var loop = TestLoop.NewVirtual();
        loop.RunUntilComplete(Sleep5());
        Assert.Equal(5, loop.Time(), 6);

        TimerHandle later = loop.CallLater(2, () => { });
        TimerHandle at = loop.CallAt(42.5, () => { });
        Assert.Equal(7, later.When, 6);
        Assert.Equal(42.5, at.When);
        Assert.Equal(2, loop.CallLater(TimeSpan.FromSeconds(2), () => { }).When - loop.Time(), 6);
        loop.Close();

        static async Coroutine Sleep5() => await Aio.Sleep(5);
    }

    // B123: asyncio's loop.time() is time.monotonic(); ours reads the system TimeProvider (Stopwatch).
    [Fact]
    public void Time_OnTheSystemClock_IsMonotonicSeconds()
    {
        var loop = Aio.NewEventLoop();
        double first = loop.Time();
        double stopwatch = Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        double second = loop.Time();

        Assert.True(second >= first);
        Assert.True(Math.Abs(stopwatch - first) < 1.0, $"loop.Time() {first} vs Stopwatch {stopwatch}");
        loop.Close();
    }

    // B123: asyncio rejects call_later(None)/call_at(None) with TypeError; the C# types rule out null, and
    // NaN is the one meaningless value left.
    [Fact]
    public void CallLaterAndCallAt_WithNaN_ThrowArgumentException()
    {
        var loop = TestLoop.NewVirtual();
        Assert.Throws<ArgumentException>(() => loop.CallLater(double.NaN, () => { }));
        Assert.Throws<ArgumentException>(() => loop.CallAt(double.NaN, () => { }));
        Assert.Throws<ArgumentException>(() => loop.CallLater(double.NaN, _ => { }, 1));
        loop.Close();
    }
}
