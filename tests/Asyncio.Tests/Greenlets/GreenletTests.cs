using Asyncio.Greenlets;

namespace Asyncio.Tests.Greenlets;

/// <summary>greenlet's documented semantics (its test suite's switch, parent, throw, GreenletExit and dead cases).</summary>
public class GreenletTests
{
    private static T Run<T>(Func<Coroutine<T>> main)
    {
        var loop = TestLoop.NewVirtual();
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

    /// <summary>Awaits the switch in a coroutine (as a switch must be) and returns what it threw.</summary>
    private static async Coroutine<TException> Raises<TException>(GreenletSwitch greenletSwitch) where TException : Exception
    {
        try
        {
            await greenletSwitch;
        }
        catch (TException e)
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException($"the switch did not throw {typeof(TException).Name}");
    }

    [Fact]
    public void Switch_AwaitedInAnAsyncTaskMethod_ThrowsNotSupported()
    {
        var error = Run(async () =>
        {
            var g = new Greenlet(async _ => null);
            try
            {
                await ForeignMethod(g);
                return null;
            }
            catch (NotSupportedException e)
            {
                return e;
            }
        });
        Assert.NotNull(error);

        static async Task ForeignMethod(Greenlet g) => await g.Switch();
    }

    [Fact]
    public void DocumentedExample_Prints12_56_34_AndNever78()
    {
        var printed = new List<int>();
        Greenlet? gr1 = null, gr2 = null;

        async Coroutine<object?> Test1(object? _)
        {
            printed.Add(12);
            await gr2!.Switch();
            printed.Add(34);
            return null;
        }

        async Coroutine<object?> Test2(object? _)
        {
            printed.Add(56);
            await gr1!.Switch();
            printed.Add(78);
            return null;
        }

        Run(async () =>
        {
            gr1 = new Greenlet(Test1);
            gr2 = new Greenlet(Test2);
            await gr1.Switch();
            return 0;
        });

        Assert.Equal([12, 56, 34], printed);
    }

    [Fact]
    public void Switch_PassesValuesBothWays()
    {
        var result = Run(async () =>
        {
            var g = new Greenlet(async first =>
            {
                object? second = await Greenlet.Current.Parent!.Switch((int)first! + 1);
                return (int)second! * 10;
            });
            object? a = await g.Switch(1);
            object? b = await g.Switch(5);
            return ((int)a!, (int)b!, g.IsDead);
        });

        Assert.Equal((2, 50, true), result);
    }

    [Fact]
    public void FirstSwitch_StartsTheBodyWithItsValue_AndTheReturnValueGoesToTheParent()
    {
        Assert.Equal(6, Run(async () => (int)(await new Greenlet(async x => (int)x! * 2).Switch(3))!));
    }

    [Fact]
    public void SwitchToSelf_ReturnsTheValue()
    {
        Assert.Equal(5, Run(async () => (int)(await Greenlet.Current.Switch(5))!));
    }

    [Fact]
    public void SwitchToADeadGreenlet_GoesToItsParent()
    {
        var result = Run(async () =>
        {
            var g = new Greenlet(async x => x);
            await g.Switch(1);
            return await g.Switch(7);
        });
        Assert.Equal(7, result);
    }

    [Fact]
    public void ExceptionInAGreenlet_IsRaisedInTheParentAtItsSwitch()
    {
        var error = Run(async () =>
        {
            var g = new Greenlet(async _ =>
            {
                await Aio.Sleep(0);
                throw new InvalidOperationException("boom");
            });
            return await Raises<InvalidOperationException>(g.Switch());
        });
        Assert.Equal("boom", error.Message);
    }

    [Fact]
    public void GreenletExit_EndsAGreenletQuietly_ItsParentGetsTheExceptionAsValue()
    {
        var result = Run(async () =>
        {
            var g = new Greenlet(_ => throw new GreenletExit("q"));
            return await g.Switch();
        });
        Assert.IsType<GreenletExit>(result);
        Assert.Equal("q", ((GreenletExit)result!).Message);
    }

    [Fact]
    public void Throw_RaisesAtTheTargetsPendingSwitch()
    {
        var log = new List<string>();
        var result = Run(async () =>
        {
            var g = new Greenlet(async _ =>
            {
                try
                {
                    await Greenlet.Current.Parent!.Switch("suspended");
                    return "not thrown";
                }
                catch (ArgumentException e)
                {
                    log.Add(e.Message);
                    return "caught";
                }
            });
            log.Add((string)(await g.Switch())!);
            return await g.Throw(new ArgumentException("x"));
        });
        Assert.Equal("caught", result);
        Assert.Equal(["suspended", "x"], log);
    }

    [Fact]
    public void ThrowIntoAnUnstartedGreenlet_KillsIt_AndRaisesInTheParent()
    {
        var result = Run(async () =>
        {
            var g = new Greenlet(async _ => "ran");
            var error = await Raises<ArgumentException>(g.Throw(new ArgumentException("x")));
            return (error.Message, g.IsDead);
        });
        Assert.Equal(("x", true), result);
    }

    [Fact]
    public void DefaultThrow_IsGreenletExit_ReturnedToTheParent()
    {
        var result = Run(async () =>
        {
            var g = new Greenlet(async _ => "ran");
            object? value = await g.Throw();
            return (value is GreenletExit, g.IsDead);
        });
        Assert.Equal((true, true), result);
    }

    [Fact]
    public void States_UnstartedIsNeitherActiveNorDead_RunningIsActive_FinishedIsDead()
    {
        var result = Run(async () =>
        {
            bool activeInside = false;
            Greenlet? self = null;
            var g = new Greenlet(async _ =>
            {
                activeInside = self!.IsActive && ReferenceEquals(Greenlet.Current, self);
                return null;
            });
            self = g;
            bool before = g.IsActive || g.IsDead;
            await g.Switch();
            return (before, activeInside, g.IsActive, g.IsDead);
        });
        Assert.Equal((false, true, false, true), result);
    }

    [Fact]
    public void Parent_DefaultsToTheCurrentGreenlet()
    {
        Assert.True(Run(async () =>
        {
            var g = new Greenlet(async _ => null);
            return ReferenceEquals(g.Parent, Greenlet.Current) && Greenlet.Current.IsMain;
        }));
    }

    [Fact]
    public void Parent_RefusesACycle()
    {
        Run(async () =>
        {
            var a = new Greenlet(async _ => null);
            var b = new Greenlet(async _ => null, parent: a);
            var error = Assert.Throws<ArgumentException>(() => a.Parent = b);
            Assert.Contains("cyclic parent chain", error.Message);
            return 0;
        });
    }

    [Fact]
    public void Parent_RefusesNull()
    {
        Run(async () =>
        {
            var a = new Greenlet(async _ => null);
            Assert.Throws<ArgumentNullException>(() => a.Parent = null);
            return 0;
        });
    }

    [Fact]
    public void ChangedParent_ReceivesTheValue()
    {
        var result = Run(async () =>
        {
            Greenlet main = Greenlet.Current;
            var middle = new Greenlet(async x =>
            {
                var leaf = new Greenlet(async y => (int)y! + 100);
                leaf.Parent = main;
                await leaf.Switch(x);
                return "middle never resumes";
            });
            return await middle.Switch(1);
        });
        Assert.Equal(101, result);
    }

    [Fact]
    public void SwitchFromDeepInsideAwaitedCoroutines_SuspendsTheWholeChain()
    {
        var result = Run(async () =>
        {
            var log = new List<int>();

            async Coroutine<int> Down(int depth)
            {
                if (depth == 0)
                {
                    object? back = await Greenlet.Current.Parent!.Switch("deep");
                    return (int)back!;
                }
                int below = await Down(depth - 1);
                log.Add(depth);
                return below + 1;
            }

            var g = new Greenlet(async _ => await Down(100));
            object? first = await g.Switch();
            object? last = await g.Switch(0);
            return ((string)first!, (int)last!, log.Count);
        });
        Assert.Equal(("deep", 100, 100), result);
    }

    [Fact]
    public void AwaitingAFutureInsideAGreenlet_SuspendsTheTask_ThenResumesInThatGreenlet()
    {
        var result = Run(async () =>
        {
            var g = new Greenlet(async _ =>
            {
                Greenlet me = Greenlet.Current;
                await Aio.Sleep(3600);
                return ReferenceEquals(Greenlet.Current, me);
            });
            return (bool)(await g.Switch())!;
        });
        Assert.True(result);
    }

    [Fact]
    public void Switch_ToAGreenletOfAnotherTask_IsRefused()
    {
        var error = Run(async () =>
        {
            var g = new Greenlet(async _ => await Greenlet.Current.Parent!.Switch());
            await g.Switch();
            return await Aio.CreateTask(Other(g));
        });
        Assert.Contains("another task", error);

        static async Coroutine<string> Other(Greenlet g)
        {
            var e = await Raises<InvalidOperationException>(g.Switch());
            return e.Message;
        }
    }

    [Fact]
    public void Current_OutsideATask_IsRefused()
    {
        Assert.Throws<InvalidOperationException>(() => Greenlet.Current);
    }

    [Fact]
    public void TaskCancellation_WhileAGreenletAwaits_RaisesInItAndReachesTheParent()
    {
        var loop = TestLoop.NewVirtual();

        async Coroutine<string> Main()
        {
            var g = new Greenlet(async _ =>
            {
                await Aio.Sleep(10);
                return "slept";
            });
            try
            {
                await g.Switch();
                return "not cancelled";
            }
            catch (CancelledError)
            {
                return g.IsDead ? "cancelled, greenlet dead" : "cancelled, greenlet alive";
            }
        }

        async Coroutine<string> Outer()
        {
            var task = Aio.CreateTask(Main());
            await Aio.Sleep(1);
            task.Cancel();
            return await task;
        }

        Assert.Equal("cancelled, greenlet dead", loop.RunUntilComplete(Outer()));
        loop.Close();
    }

    [Fact]
    public void BodyFunctionThrowing_KillsTheGreenlet_AndRaisesInTheSwitcher()
    {
        var result = Run(async () =>
        {
            var g = new Greenlet(_ => throw new FormatException("bad body"));
            var e = await Raises<FormatException>(g.Switch());
            return (e.Message, g.IsDead);
        });
        Assert.Equal(("bad body", true), result);
    }

    [Fact]
    public void ManySwitches_PingPong_CountsEveryRoundTrip()
    {
        const int rounds = 10_000;
        var result = Run(async () =>
        {
            Greenlet main = Greenlet.Current;
            var echo = new Greenlet(async v =>
            {
                while (true) v = await main.Switch(v);
            });
            int sum = 0;
            for (int i = 0; i < rounds; i++) sum += (int)(await echo.Switch(1))!;
            return sum;
        });
        Assert.Equal(rounds, result);
    }
}

/// <summary>A suspended greenlet nothing refers to any more gets GreenletExit thrown into it, as greenlet does on collection.</summary>
[Collection(nameof(MemoryMeasurements))]
public class GreenletFinalisationTests
{
    [Fact]
    public void UnreachableSuspendedGreenlet_RunsItsFinallyBlocks()
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<string>();

        async Coroutine<int> Main()
        {
            await StartAndDrop(log);
            for (int i = 0; i < 20 && log.Count < 2; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                await Aio.Sleep(0.1);
            }
            return log.Count;
        }

        loop.RunUntilComplete(Main());
        loop.Close();
        Assert.Equal(["suspended", "finally: GreenletExit"], log);
    }

    /// <summary>Starts a greenlet that suspends inside try/finally, keeping no reference to it.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static async Coroutine StartAndDrop(List<string> log)
    {
        var g = new Asyncio.Greenlets.Greenlet(async _ =>
        {
            try
            {
                log.Add("suspended");
                await Asyncio.Greenlets.Greenlet.Current.Parent!.Switch();
                log.Add("resumed");
            }
            catch (Asyncio.Greenlets.GreenletExit e)
            {
                log.Add("finally: " + e.GetType().Name);
                throw;
            }
            return null;
        });
        await g.Switch();
    }

    [Fact]
    public void DeadGreenlet_IsNotFinalisedAgain()
    {
        var loop = TestLoop.NewVirtual();
        int bodies = 0;

        async Coroutine<int> Main()
        {
            var g = new Asyncio.Greenlets.Greenlet(async _ =>
            {
                bodies++;
                await Asyncio.Greenlets.Greenlet.Current.Parent!.Switch();
                return null;
            });
            await g.Switch();
            await g.Switch();
            g = null;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Aio.Sleep(0.1);
            return bodies;
        }

        Assert.Equal(1, loop.RunUntilComplete(Main()));
        loop.Close();
    }
}
