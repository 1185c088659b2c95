namespace Asyncio.Tests.Composition;

/// <summary>asyncio.timeout / timeout_at: B071–B080.</summary>
public class TimeoutTests
{
    [Fact] // B071
    public void Timeout_Expiry_CancelsBody_ConvertsToTimeoutException_CancellingRestored()
    {
        var loop = TestLoop.NewVirtual();
        var seen = new List<string>();
        TimeoutHandle? cm = null;
        async Coroutine<int> Main()
        {
            try
            {
                await Aio.Timeout(0.01, async h =>
                {
                    cm = h;
                    try
                    {
                        await Aio.Sleep(10);
                    }
                    catch (CancelledError)
                    {
                        seen.Add("inside");
                        throw;
                    }
                    return 0;
                });
            }
            catch (TimeoutException e)
            {
                Assert.IsType<CancelledError>(e.InnerException);
            }
            Assert.True(cm!.Expired);
            return Aio.CurrentTask()!.Cancelling();
        }
        var task = loop.CreateTask(Main());
        Assert.Equal(0, loop.RunUntilComplete(task));
        Assert.False(task.IsCancelled);
        Assert.Equal(new[] { "inside" }, seen);
        loop.Close();
    }

    [Fact] // B072: the TimeoutException's InnerException is the CancelledError (Python's __cause__)
    public void Timeout_TimeoutExceptionWrapsTheCancelledError()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<Exception?> Main()
        {
            try
            {
                await Aio.Timeout(0.01, async () =>
                {
                    try
                    {
                        throw new DivideByZeroException();
                    }
                    finally
                    {
                        await Aio.Sleep(1);
                    }
                });
            }
            catch (TimeoutException e)
            {
                return e.InnerException;
            }
            return null;
        }
        Assert.IsType<CancelledError>(loop.RunUntilComplete(Main()));
        loop.Close();
    }

    [Fact] // B073
    public void TimeoutAt_UsesAbsoluteDeadline_NullNeverExpires()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            double deadline = loop.Time() + 0.01;
            TimeoutHandle? cm = null;
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.TimeoutAt(deadline, async h =>
            {
                cm = h;
                await Aio.Sleep(10);
                return 0;
            }));
            Assert.Equal(deadline, cm!.When);
            TimeoutHandle? cm3 = null;
            await Aio.Timeout(null, async h =>
            {
                cm3 = h;
                await Aio.Sleep(0.01);
                return 0;
            });
            Assert.Null(cm3!.When);
            Assert.False(cm3.Expired);
            await Aio.Timeout(TimeSpan.FromSeconds(1), async () => await Aio.Sleep(0.5));
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B074
    public void Timeout_ZeroOrPast_FiresAtNextIteration_BodyWithoutAwaitCompletes()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.Timeout(0, async () => await Aio.Sleep(0)));
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.Timeout(-11, async () => await Aio.Sleep(0)));
            TimeoutHandle? cm = null;
            int r = await Aio.Timeout(0, async h =>
            {
                cm = h;
                return 5;
            });
            Assert.False(cm!.Expired);
            Assert.Equal("<Timeout [finished]>", cm.ToString());
            return r;
        }
        Assert.Equal(5, loop.RunUntilComplete(Main()));
        loop.Close();
    }

    [Fact] // B075
    public void Timeout_OnlyItsOwnCancellationIsConverted()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            TimeoutHandle? cm = null;
            await Assert.ThrowsAsync<KeyNotFoundException>(async () => await Aio.Timeout(0.01, async h =>
            {
                cm = h;
                await Aio.Sleep(0);
                throw new KeyNotFoundException();
#pragma warning disable CS0162
                return 0;
#pragma warning restore CS0162
            }));
            Assert.False(cm!.Expired);
            return 0;
        }
        async Coroutine<int> Foreign()
        {
            TimeoutHandle? cm = null;
            try
            {
                await Aio.Timeout(10, async h =>
                {
                    cm = h;
                    Aio.CurrentTask()!.Cancel();
                    await Aio.Sleep(10);
                    return 0;
                });
            }
            catch (CancelledError)
            {
                Assert.False(cm!.Expired);
                return 1;
            }
            return 0;
        }
        loop.RunUntilComplete(Main());
        Assert.Equal(1, loop.RunUntilComplete(Foreign()));
        loop.Close();
    }

    [Fact] // B076
    public void Timeout_Nested_SameDeadlineOnlyOutermostConverts_InnerAloneCaughtInside()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            double d = loop.Time() + 0.01;
            TimeoutHandle? outer = null, inner = null;
            bool innerSawCancelled = false;
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.TimeoutAt(d, async o =>
            {
                outer = o;
                try
                {
                    await Aio.TimeoutAt(d, async i =>
                    {
                        inner = i;
                        await Aio.Sleep(10);
                        return 0;
                    });
                }
                catch (CancelledError)
                {
                    innerSawCancelled = true;
                    throw;
                }
                return 0;
            }));
            Assert.True(innerSawCancelled);
            Assert.True(outer!.Expired && inner!.Expired);

            TimeoutHandle? outer2 = null;
            await Aio.Timeout(10, async o =>
            {
                outer2 = o;
                await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.Timeout(0.01, async () => await Aio.Sleep(1)));
                await Aio.Sleep(0.1);
                return 0;
            });
            Assert.False(outer2!.Expired);
            return Aio.CurrentTask()!.Cancelling();
        }
        Assert.Equal(0, loop.RunUntilComplete(Main()));
        loop.Close();
    }

    [Fact] // B077
    public void Timeout_Reschedule_MovesDeadline_InvalidInOtherStates()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            TimeoutHandle? cm = null;
            await Aio.Timeout(0.01, async h =>
            {
                cm = h;
                h.Reschedule(loop.Time() + 1);
                Assert.Equal(loop.Time() + 1, h.When);
                h.Reschedule(null);
                await Aio.Sleep(2);
                return 0;
            });
            Assert.Equal("Cannot change state of finished Timeout", Assert.Throws<InvalidOperationException>(() => cm!.Reschedule(1)).Message);
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.Timeout(0.01, async h =>
            {
                cm = h;
                try
                {
                    await Aio.Sleep(1);
                }
                catch (CancelledError)
                {
                    Assert.Equal("Cannot change state of expiring Timeout", Assert.Throws<InvalidOperationException>(() => h.Reschedule(1)).Message);
                    throw;
                }
                return 0;
            }));
            Assert.Equal("Cannot change state of expired Timeout", Assert.Throws<InvalidOperationException>(() => cm!.Reschedule(1)).Message);
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B078: entering outside a task
    public void Timeout_OutsideATask_Throws()
    {
        var loop = TestLoop.NewVirtual();
        Exception? error = null;
        loop.CallSoon(() =>
        {
            try
            {
                Aio.Timeout(1, async () => await Aio.Sleep(0)).GetAwaiter().OnCompleted(() => { });
            }
            catch (InvalidOperationException e)
            {
                error = e;
            }
        });
        loop.RunOnce();
        Assert.NotNull(error);
        loop.Close();
    }

    [Fact] // B078: repr
    public void Timeout_Repr_ShowsStateAndDeadline()
    {
        var loop = TestLoop.NewVirtual();
        var seen = new List<string>();
        async Coroutine<int> Main()
        {
            TimeoutHandle? cm = null;
            await Aio.TimeoutAt(12345.6784, async h =>
            {
                cm = h;
                seen.Add(h.ToString());
                h.Reschedule(null);
                seen.Add(h.ToString());
                await Aio.Sleep(0);
                return 0;
            });
            seen.Add(cm!.ToString());
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.Timeout(0, async h =>
            {
                cm = h;
                await Aio.Sleep(1);
                return 0;
            }));
            seen.Add(cm.ToString());
            return 0;
        }
        loop.RunUntilComplete(Main());
        Assert.Equal(new[] { "<Timeout [active] when=12345.678>", "<Timeout [active] when=None>", "<Timeout [finished]>", "<Timeout [expired]>" }, seen);
        loop.Close();
    }

    [Fact] // B079
    public void Timeout_AfterASwallowedCancellation_StillConverts()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            try
            {
                Aio.CurrentTask()!.Cancel();
                await Aio.Sleep(1);
            }
            catch (CancelledError)
            {
            }
            finally
            {
                await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.Timeout(0.0, async () => await Aio.Sleep(1)));
            }
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B080 (3.12 semantics: the other exception propagates; no TimeoutException in its chain)
    public void Timeout_OtherExceptionDuringItsCancellation_Propagates()
    {
        static async Coroutine<int> Crash()
        {
            try
            {
                await Aio.Sleep(1);
            }
            finally
            {
                throw new DivideByZeroException();
            }
        }
        Assert.Throws<DivideByZeroException>(() => TestLoop.RunVirtual(() => Aio.Timeout(0.01, () => Crash())));
    }
}
