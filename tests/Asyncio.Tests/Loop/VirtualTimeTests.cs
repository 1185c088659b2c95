using System.Diagnostics;

namespace Asyncio.Tests.Loop;

/// <summary>
/// The loop's clock: the virtual clock of <c>Aio.NewEventLoop(virtualTime: true)</c>, its grace for
/// foreign awaits, and a user's <see cref="TimeProvider"/>.
/// </summary>
public class VirtualTimeTests
{
    [Fact]
    public void AnHourOfSleeps_FinishesAtOnce_AndTheClockReads3600()
    {
        static async Coroutine<int> SleepAnHour()
        {
            int slept = 0;
            for (int i = 0; i < 3600; i++)
            {
                await Aio.Sleep(1);
                slept++;
            }
            return slept;
        }

        var loop = TestLoop.NewVirtual();
        var stopwatch = Stopwatch.StartNew();
        Assert.Equal(3600, loop.RunUntilComplete(SleepAnHour()));
        Assert.Equal(3600, loop.Time(), 6);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
        loop.Close();
    }

    [Fact]
    public void ConcurrentSleepers_WakeInDeadlineOrder_AtTheirVirtualTimes()
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<(string, double)>();

        async Coroutine Sleeper(string name, double seconds)
        {
            await Aio.Sleep(seconds);
            log.Add((name, Math.Round(Aio.GetRunningLoop().Time(), 6)));
        }

        async Coroutine Main()
        {
            var tasks = new[] { Aio.CreateTask(Sleeper("c", 30)), Aio.CreateTask(Sleeper("a", 10)), Aio.CreateTask(Sleeper("b", 20)) };
            foreach (var task in tasks) await task;
        }

        loop.RunUntilComplete(Main());
        Assert.Equal([("a", 10.0), ("b", 20.0), ("c", 30.0)], log);
        loop.Close();
    }

    // A foreign await holds the clock for a short real-time grace only (trio's autojump_threshold): the
    // clock does not jump while it is that young, then jumps even though it is still outstanding.
    [Fact]
    public void ForeignAwait_HoldsTheClockForTheGrace_ThenTheClockJumps()
    {
        var loop = TestLoop.NewVirtual();
        var stopwatch = new Stopwatch();
        TimeSpan sleeperWokeAt = TimeSpan.Zero;
        double foreignResumedAt = -1;

        async Coroutine Sleeper()
        {
            await Aio.Sleep(10);
            sleeperWokeAt = stopwatch.Elapsed;
        }

        async Coroutine Foreign()
        {
            await Task.Run(() => Thread.Sleep(300));
            foreignResumedAt = Aio.GetRunningLoop().Time();
        }

        async Coroutine Main()
        {
            stopwatch.Start();
            AioTask foreign = Aio.CreateTask(Foreign());
            AioTask sleeper = Aio.CreateTask(Sleeper());
            await sleeper;
            await foreign;
        }

        loop.RunUntilComplete(Main());
        Assert.True(sleeperWokeAt >= TimeSpan.FromMilliseconds(15), $"clock jumped after {sleeperWokeAt}");
        Assert.True(sleeperWokeAt < TimeSpan.FromMilliseconds(280), $"clock held for {sleeperWokeAt}");
        Assert.Equal(10, foreignResumedAt, 6);
        loop.Close();
    }

    // Work the loop knows about (executor jobs, I/O) holds the clock however long it takes.
    [Fact]
    public void JobInFlight_HoldsTheClockBeyondTheGrace()
    {
        var loop = TestLoop.NewVirtual();
        double sleeperWokeAt = -1;
        double jobDoneAt = -1;

        async Coroutine Sleeper()
        {
            await Aio.Sleep(10);
            sleeperWokeAt = Aio.GetRunningLoop().Time();
        }

        async Coroutine Main()
        {
            Future<object?> jobDone = loop.CreateFuture();
            loop.JobStarted();
            _ = Task.Run(() =>
            {
                Thread.Sleep(60);
                loop.PostJobCompletion(static (f, _) => ((Future<object?>)f!).SetResult(null), jobDone, null);
            });
            AioTask sleeper = Aio.CreateTask(Sleeper());
            await jobDone;
            jobDoneAt = loop.Time();
            await sleeper;
        }

        loop.RunUntilComplete(Main());
        Assert.Equal(0, jobDoneAt);
        Assert.Equal(10, sleeperWokeAt, 6);
        loop.Close();
    }

    [Fact]
    public void UserTimeProvider_DrivesTheLoopClockAndItsTimers()
    {
        var clock = new ManualClock();
        clock.Advance(TimeSpan.FromSeconds(1000));
        var loop = Aio.NewEventLoop(clock);
        Assert.Same(clock, loop.TimeProvider);
        Assert.Equal(1000, loop.Time(), 6);

        double firedAt = -1;
        loop.CallLater(5, () =>
        {
            firedAt = loop.Time();
            loop.Stop();
        });
        // Should the provider's timer never wake the loop, stop it from outside so the test fails, not hangs.
        using var watchdog = new Timer(_ => loop.CallSoonThreadsafe(loop.Stop), null, TimeSpan.FromSeconds(20), Timeout.InfiniteTimeSpan);
        var advancer = new Thread(() =>
        {
            Thread.Sleep(20);
            clock.Advance(TimeSpan.FromSeconds(2));
            Thread.Sleep(20);
            clock.Advance(TimeSpan.FromSeconds(3));
        });
        advancer.Start();
        loop.RunForever();
        advancer.Join();

        Assert.Equal(1005, firedAt, 6);
        loop.Close();
    }

    /// <summary>A clock that moves only when the test says so and fires its timers as it passes them.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private readonly object _lock = new();
        private readonly List<(TimerCallback Callback, object? State, long Due)> _timers = new();
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan delta)
        {
            List<(TimerCallback Callback, object? State, long Due)> due;
            lock (_lock)
            {
                _ticks += delta.Ticks;
                due = _timers.Where(t => t.Due <= _ticks).ToList();
                _timers.RemoveAll(t => t.Due <= _ticks);
            }
            foreach (var timer in due) timer.Callback(timer.State);
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            new ManualTimer(this, callback, state, dueTime);

        private sealed class ManualTimer : ITimer
        {
            private readonly ManualClock _clock;
            private readonly TimerCallback _callback;
            private readonly object? _state;

            public ManualTimer(ManualClock clock, TimerCallback callback, object? state, TimeSpan dueTime)
            {
                _clock = clock;
                _callback = callback;
                _state = state;
                Change(dueTime, Timeout.InfiniteTimeSpan);
            }

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                lock (_clock._lock)
                {
                    _clock._timers.RemoveAll(t => t.Callback == _callback && t.State == _state);
                    if (dueTime != Timeout.InfiniteTimeSpan) _clock._timers.Add((_callback, _state, _clock._ticks + dueTime.Ticks));
                }
                return true;
            }

            public void Dispose() => Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
