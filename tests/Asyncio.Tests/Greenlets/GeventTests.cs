using Asyncio.Greenlets;

namespace Asyncio.Tests.Greenlets;

/// <summary>gevent's spawn, join, joinall, wait and Timeout (each checked against gevent 22.10); kills are in <see cref="GeventKillTests"/>.</summary>
public class GeventTests
{
    /// <summary>Runs <paramref name="main"/> on a virtual-time loop, collecting what reaches the exception handler; a real-time watchdog stops a hang.</summary>
    internal static T Run<T>(Func<Coroutine<T>> main, List<ExceptionContext>? reports = null)
    {
        var loop = TestLoop.NewVirtual();
        loop.SetExceptionHandler((_, context) => (reports ?? throw new Xunit.Sdk.XunitException($"unexpected report: {context.Message}")).Add(context));
        using var watchdog = new Timer(_ => loop.CallSoonThreadsafe(loop.Stop), null, TimeSpan.FromSeconds(30), Timeout.InfiniteTimeSpan);
        try
        {
            return loop.RunUntilComplete(Inside(main));
        }
        finally
        {
            loop.Close();
        }
    }

    private static async Coroutine<T> Inside<T>(Func<Coroutine<T>> main) => await main();

    /// <summary>gevent's failed greenlet: dead, not successful, no value, the exception kept.</summary>
    internal static void AssertFailedWith<TException>(GeventGreenlet g, string message) where TException : Exception
    {
        Assert.True(g.IsDead);
        Assert.False(g.IsSuccessful);
        Assert.Null(g.Value);
        Assert.Equal(message, Assert.IsType<TException>(g.Exception).Message);
    }

    internal static async Coroutine<object?> SleepThenReturn(object? arg)
    {
        await Gevent.Sleep(1);
        return arg;
    }

    private static async Coroutine<object?> Fail(object? arg)
    {
        await Gevent.Sleep(0);
        throw new ArgumentException((string?)arg);
    }

    [Fact]
    public void Spawn_StartsOnTheNextIteration()
    {
        var steps = Run(async () =>
        {
            var steps = new List<string>();
            var g = Gevent.Spawn(async _ =>
            {
                steps.Add("greenlet");
                return null;
            });
            steps.Add("after spawn");
            await g.JoinAsync();
            return steps;
        });
        Assert.Equal(["after spawn", "greenlet"], steps);
    }

    [Fact]
    public void Join_ThenValue_IsWhatTheBodyReturned()
    {
        var g = Run(async () =>
        {
            var g = Gevent.Spawn(SleepThenReturn, 42);
            Assert.False(g.IsDead);
            Assert.True(await g.JoinAsync());
            return g;
        });
        Assert.True(g.IsDead);
        Assert.True(g.IsSuccessful);
        Assert.Equal(42, g.Value);
        Assert.Null(g.Exception);
    }

    [Fact]
    public void Join_WithATimeoutThatPasses_ReturnsFalseAndLeavesItAlive()
    {
        bool dead = Run(async () => await Gevent.Spawn(SleepThenReturn, 1).JoinAsync(timeout: 0.5));
        Assert.False(dead);
    }

    [Fact]
    public void Body_RunsAsItsTasksMainGreenlet_AboveWhichIsTheHub()
    {
        var (spawner, inside) = Run(async () =>
        {
            Greenlet? inside = null;
            await Gevent.Spawn(async _ =>
            {
                inside = Greenlet.Current;
                return null;
            }).JoinAsync();
            return (Greenlet.Current, inside);
        });
        Assert.NotNull(inside);
        Assert.NotSame(spawner, inside);
        Assert.True(inside.IsMain);
        Assert.Null(inside.Parent);
    }

    [Fact]
    public void Exception_IsStoredAndReportedAsFailed()
    {
        var reports = new List<ExceptionContext>();
        var g = Run(async () =>
        {
            var g = Gevent.Spawn(Fail, "boom");
            await g.JoinAsync();
            return g;
        }, reports);
        AssertFailedWith<ArgumentException>(g, "boom");
        var report = Assert.Single(reports);
        Assert.Same(g.Exception, report.Exception);
        Assert.Matches(@"^<Greenlet in Task-\d+: Fail\('boom'\)> failed with ArgumentException$", report.Message);
    }

    [Fact]
    public void GetAsync_ThrowsTheGreenletsException()
    {
        var error = Run(async () =>
        {
            try
            {
                await Gevent.Spawn(Fail, "boom").GetAsync();
                return null;
            }
            catch (ArgumentException e)
            {
                return e;
            }
        }, new List<ExceptionContext>());
        Assert.Equal("boom", error?.Message);
    }

    [Fact]
    public void JoinAll_WithATimeout_ReturnsOnlyTheDeadOnes()
    {
        var (done, all) = Run(async () =>
        {
            var all = new[] { 0.5, 3, 1 }.Select(d => Gevent.Spawn(async arg =>
            {
                await Gevent.Sleep((double)arg!);
                return arg;
            }, d)).ToArray();
            var done = await Gevent.JoinAll(all, timeout: 2);
            return (done, all);
        });
        Assert.Equal([all[0], all[2]], done);
    }

    [Fact]
    public void JoinAll_WithoutATimeout_WaitsForAll()
    {
        var done = Run(async () =>
        {
            var all = Enumerable.Range(1, 5).Select(i => Gevent.Spawn(SleepThenReturn, i)).ToList();
            return await Gevent.JoinAll(all);
        });
        Assert.Equal([1, 2, 3, 4, 5], done.Select(g => (int)g.Value!));
    }

    [Fact]
    public void JoinAll_RaiseError_ThrowsTheFirstFailureAtOnce()
    {
        var (error, time) = Run(async () =>
        {
            var all = new[] { Gevent.Spawn(SleepThenReturn, 1), Gevent.Spawn(Fail, "first") };
            try
            {
                await Gevent.JoinAll(all, raiseError: true);
                return ((ArgumentException?)null, 0.0);
            }
            catch (ArgumentException e)
            {
                return (e, Aio.GetRunningLoop().Time());
            }
        }, new List<ExceptionContext>());
        Assert.Equal("first", error?.Message);
        Assert.True(time < 1);
    }

    [Fact]
    public void Wait_WithACount_ReturnsOnceThatManyAreDead_InTheOrderTheyDied()
    {
        var (ready, all, time) = Run(async () =>
        {
            var all = new[] { 3.0, 1, 2, 4 }.Select(d => Gevent.Spawn(async arg =>
            {
                await Gevent.Sleep((double)arg!);
                return arg;
            }, d)).ToArray();
            var ready = await Gevent.Wait(all, count: 2);
            return (ready, all, Aio.GetRunningLoop().Time());
        });
        Assert.Equal([all[1], all[2]], ready);
        Assert.InRange(time, 2, 2.5);
    }

    [Fact]
    public void Wait_NegativeCount_IsRefused()
    {
        Run<object?>(async () =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Gevent.Wait([], count: -1));
            return null;
        });
    }

    [Fact]
    public void Timeout_ThrowsGeventTimeoutAtThePendingAwait()
    {
        var (error, time) = Run(async () =>
        {
            try
            {
                await Gevent.Timeout(0.5, async () => await Gevent.Sleep(10));
                return ((GeventTimeout?)null, 0.0);
            }
            catch (GeventTimeout e)
            {
                return (e, Aio.GetRunningLoop().Time());
            }
        });
        Assert.Equal(0.5, error?.Seconds);
        Assert.Equal("0.5 seconds", error?.Message);
        Assert.InRange(time, 0.5, 0.6);
    }

    [Fact]
    public void Timeout_WithAnException_ThrowsThatOne()
    {
        var error = Run(async () =>
        {
            try
            {
                await Gevent.Timeout(0.5, async () => await Gevent.Sleep(10), new InvalidOperationException("late"));
                return null;
            }
            catch (InvalidOperationException e)
            {
                return e;
            }
        });
        Assert.Equal("late", error?.Message);
    }

    [Fact]
    public void Timeout_NotReached_ReturnsTheBodysValue()
    {
        int value = Run(async () => await Gevent.Timeout(5, async () =>
        {
            await Gevent.Sleep(1);
            return 3;
        }));
        Assert.Equal(3, value);
    }

    [Fact]
    public void Timeout_InsideASpawnedGreenlet_FailsOnlyThatGreenletsBlock()
    {
        var g = Run(async () =>
        {
            var g = Gevent.Spawn(async _ =>
            {
                try
                {
                    await Gevent.Timeout(0.5, async () => await Gevent.Sleep(10));
                    return "no timeout";
                }
                catch (GeventTimeout)
                {
                    return "timed out";
                }
            });
            await g.JoinAsync();
            return g;
        });
        Assert.Equal("timed out", g.Value);
    }

    [Fact]
    public void SwitchToAGreenletOfAnotherSpawnedGreenlet_IsRefused()
    {
        var g = Run(async () =>
        {
            Greenlet? other = null;
            var sleeper = Gevent.Spawn(async _ =>
            {
                other = Greenlet.Current;
                await Gevent.Sleep(1);
                return null;
            });
            await Gevent.Sleep(0);
            var g = Gevent.Spawn(async _ => await other!.Switch());
            await g.JoinAsync();
            return g;
        }, new List<ExceptionContext>());
        Assert.IsType<InvalidOperationException>(g.Exception);
    }

    [Fact]
    public void GreenletsMadeInsideASpawnedGreenlet_SwitchAmongThemselves()
    {
        var g = Run(async () =>
        {
            var g = Gevent.Spawn(async arg =>
            {
                var doubler = new Greenlet(async v => (int)v! * 2);
                object? doubled = await doubler.Switch(arg);
                await Gevent.Sleep(1);
                return doubled;
            }, 21);
            await g.JoinAsync();
            return g;
        });
        Assert.Equal(42, g.Value);
    }

    [Fact]
    public void CancellingTheTask_LeavesTheGreenletDeadOfTheCancellation()
    {
        var g = Run(async () =>
        {
            var g = Gevent.Spawn(SleepThenReturn, 1);
            await Gevent.Sleep(0);
            g.Task.Cancel();
            await g.JoinAsync();
            return g;
        });
        Assert.IsType<CancelledError>(g.Exception);
        Assert.True(g.Task.IsCancelled);
    }

    [Fact]
    public void Spawn_OutsideALoop_IsRefused()
    {
        Assert.Throws<InvalidOperationException>(() => Gevent.Spawn(SleepThenReturn));
    }

    [Fact]
    public void ToString_ShowsTheFunctionAndItsArgument_LikeGevent()
    {
        string text = Run(async () =>
        {
            var g = Gevent.Spawn(SleepThenReturn, 1);
            string text = g.ToString();
            g.Kill();
            return text;
        });
        Assert.Matches(@"^<Greenlet in Task-\d+: SleepThenReturn\(1\)>$", text);
    }
}
