using Asyncio.Greenlets;
using static Asyncio.Tests.Greenlets.GeventTests;

namespace Asyncio.Tests.Greenlets;

/// <summary>gevent's kill: before the start, at gevent's waits and at others, with another exception, caught (checked against gevent 22.10).</summary>
public class GeventKillTests
{
    [Fact]
    public void Kill_BeforeStart_IsDeadAtOnceSuccessfulWithGreenletExitAsValue_AndNeverRuns()
    {
        var (g, ran) = Run(async () =>
        {
            bool ran = false;
            var g = Gevent.Spawn(async _ =>
            {
                ran = true;
                return null;
            });
            g.Kill();
            Assert.True(g.IsDead);
            await Gevent.Sleep(1);
            return (g, ran);
        });
        Assert.False(ran);
        Assert.True(g.IsSuccessful);
        Assert.IsType<GreenletExit>(g.Value);
        Assert.Null(g.Exception);
    }

    [Fact]
    public void Kill_WhileSleeping_ThrowsGreenletExitAtTheSleep_AndEndsSuccessful()
    {
        var (g, seen, elapsed) = Run(async () =>
        {
            Exception? seen = null;
            var g = Gevent.Spawn(async _ =>
            {
                try
                {
                    await Gevent.Sleep(10);
                }
                catch (Exception e)
                {
                    seen = e;
                    throw;
                }
                return "finished";
            });
            await Gevent.Sleep(1);
            double t0 = Aio.GetRunningLoop().Time();
            Assert.True(await g.KillAsync());
            return (g, seen, Aio.GetRunningLoop().Time() - t0);
        });
        Assert.IsType<GreenletExit>(seen);
        Assert.Same(seen, g.Value);
        Assert.True(g.IsDead);
        Assert.True(g.IsSuccessful);
        Assert.Null(g.Exception);
        Assert.True(elapsed < 1);
    }

    [Fact]
    public void Kill_WhileAwaitingAFuture_EndsKilledThoughTheAwaitSawACancellation()
    {
        var (g, seen) = Run(async () =>
        {
            Exception? seen = null;
            var never = Aio.GetRunningLoop().CreateFuture();
            var g = Gevent.Spawn(async _ =>
            {
                try
                {
                    await never;
                }
                catch (Exception e)
                {
                    seen = e;
                    throw;
                }
                return null;
            });
            await Gevent.Sleep(0);
            await g.KillAsync();
            return (g, seen);
        });
        Assert.IsType<CancelledError>(seen);
        Assert.IsType<GreenletExit>(g.Value);
        Assert.True(g.IsSuccessful);
    }

    [Fact]
    public void Kill_WithAnotherException_FailsTheGreenletWithIt()
    {
        var reports = new List<ExceptionContext>();
        var g = Run(async () =>
        {
            var g = Gevent.Spawn(SleepThenReturn, 1);
            await Gevent.Sleep(0);
            await g.KillAsync(new InvalidOperationException("v"));
            return g;
        }, reports);
        AssertFailedWith<InvalidOperationException>(g, "v");
        Assert.Single(reports);
    }

    [Fact]
    public void Kill_CaughtByTheBody_LetsItReturnAValue()
    {
        var g = Run(async () =>
        {
            var g = Gevent.Spawn(async _ =>
            {
                try
                {
                    await Gevent.Sleep(10);
                }
                catch (GreenletExit)
                {
                    await Gevent.Sleep(1);
                    return "caught";
                }
                return "finished";
            });
            await Gevent.Sleep(0);
            await g.KillAsync();
            return g;
        });
        Assert.Equal("caught", g.Value);
        Assert.True(g.IsSuccessful);
        Assert.False(g.Task.IsCancelled);
    }

    [Fact]
    public void Kill_OfADeadGreenlet_ChangesNothing()
    {
        var g = Run(async () =>
        {
            var g = Gevent.Spawn(SleepThenReturn, 7);
            await g.JoinAsync();
            g.Kill();
            return g;
        });
        Assert.Equal(7, g.Value);
    }

    [Fact]
    public void Kill_WhileJoiningAnother_ThrowsGreenletExitAtTheJoin()
    {
        var (joiner, seen) = Run(async () =>
        {
            Exception? seen = null;
            var sleeper = Gevent.Spawn(SleepThenReturn, 1);
            var joiner = Gevent.Spawn(async _ =>
            {
                try
                {
                    await sleeper.JoinAsync();
                }
                catch (Exception e)
                {
                    seen = e;
                    throw;
                }
                return null;
            });
            await Gevent.Sleep(0);
            await joiner.KillAsync();
            await sleeper.JoinAsync();
            return (joiner, seen);
        });
        Assert.IsType<GreenletExit>(seen);
        Assert.Same(seen, joiner.Value);
    }

    [Fact]
    public void Kill_InsideATimeoutBlock_IsTheKillNotATimeout()
    {
        var g = Run(async () =>
        {
            var g = Gevent.Spawn(async _ =>
            {
                await Gevent.Timeout(5, async () => await Gevent.Sleep(10));
                return "finished";
            });
            await Gevent.Sleep(1);
            await g.KillAsync();
            return g;
        });
        Assert.IsType<GreenletExit>(g.Value);
        Assert.True(g.IsSuccessful);
    }

    [Fact]
    public void Kill_OfItself_ArrivesAtItsNextWait()
    {
        var (g, reachedAfterKill) = Run(async () =>
        {
            bool reachedAfterKill = false;
            GeventGreenlet? self = null;
            self = Gevent.Spawn(async _ =>
            {
                self!.Kill();
                reachedAfterKill = true;
                await Gevent.Sleep(1);
                return "finished";
            });
            await self.JoinAsync();
            return (self, reachedAfterKill);
        });
        Assert.True(reachedAfterKill);
        Assert.IsType<GreenletExit>(g.Value);
    }
}
