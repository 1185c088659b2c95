namespace Asyncio.Tests.Composition;

/// <summary>asyncio.TaskGroup and cancellation: B085, B087, B091, and the await-using form.</summary>
public class TaskGroupCancellationTests
{
    private static async Coroutine<int> FailAfter(double seconds, Exception error)
    {
        await Aio.Sleep(seconds);
        throw error;
    }

    [Fact] // B085
    public void TaskGroup_ParentCancelledFromOutside_CancelledErrorPropagates()
    {
        var loop = TestLoop.NewVirtual();
        var children = new List<AioTask<int>>();
        async Coroutine<int> Runner(bool bodyWaits)
        {
            await TaskGroup.Run(async tg =>
            {
                for (int i = 0; i < 3; i++) children.Add(tg.CreateTask(Aio.Sleep(5, i)));
                if (bodyWaits) await Aio.Sleep(10);
            });
            return 0;
        }
        async Coroutine<int> Main()
        {
            foreach (bool bodyWaits in new[] { true, false })
            {
                var r = Aio.CreateTask(Runner(bodyWaits));
                await Aio.Sleep(0.1);
                r.Cancel();
                await Assert.ThrowsAsync<CancelledError>(async () => await r);
                Assert.True(r.IsCancelled);
            }
            Assert.All(children, c => Assert.True(c.IsCancelled));
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B087
    public void TaskGroup_ErrorsTakePriorityOverCancellation()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> FinallyDivides()
        {
            try
            {
                await Aio.Sleep(10);
            }
            finally
            {
                throw new DivideByZeroException();
            }
        }
        async Coroutine<int> Runner()
        {
            await TaskGroup.Run(async tg =>
            {
                _ = tg.CreateTask(FinallyDivides());
                await Aio.Sleep(10);
            });
            return 0;
        }
        async Coroutine<int> ConvertingBody()
        {
            await TaskGroup.Run(async tg =>
            {
                _ = tg.CreateTask(Aio.Sleep(10, 0));
                try
                {
                    await Aio.Sleep(10);
                }
                catch (CancelledError)
                {
                    throw new FormatException();
                }
            });
            return 0;
        }
        async Coroutine<int> Main()
        {
            var r = Aio.CreateTask(Runner());
            await Aio.Sleep(0.1);
            r.Cancel();
            var g = await Assert.ThrowsAsync<ExceptionGroup>(async () => await r);
            Assert.IsType<DivideByZeroException>(Assert.Single(g.Exceptions));
            var r2 = Aio.CreateTask(ConvertingBody());
            await Aio.Sleep(0.1);
            r2.Cancel();
            var g2 = await Assert.ThrowsAsync<ExceptionGroup>(async () => await r2);
            Assert.IsType<FormatException>(Assert.Single(g2.Exceptions));
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B091 (3.13 semantics): a child failing during the exit restores cancelling() to 0
    public void TaskGroup_ChildFailingDuringExit_RestoresCancellingToZero()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            await Assert.ThrowsAsync<ExceptionGroup>(async () => await TaskGroup.Run(tg =>
            {
                _ = tg.CreateTask(FailAfter(0, new InvalidOperationException()));
                return Aio.Sleep(0, 0);
            }));
            int cancelling = Aio.CurrentTask()!.Cancelling();
            await Aio.Sleep(0.1);
            return cancelling;
        }
        Assert.Equal(0, loop.RunUntilComplete(Main()));
        loop.Close();
    }

    [Fact] // B091 (b), 3.13 semantics: an outside cancel arriving with a child failure stays pending after the group
    public void TaskGroup_OutsideCancelTogetherWithChildFailure_IsRearmedAfterTheGroup()
    {
        var loop = TestLoop.NewVirtual();
        var ev = loop.CreateFuture<bool>();
        int cancellingInCatch = -1;
        async Coroutine<int> FailAfterSignal()
        {
            await Aio.Sleep(0.01);
            ev.SetResult(true);
            throw new InvalidOperationException();
        }
        async Coroutine<int> Inner()
        {
            try
            {
                await TaskGroup.Run(async tg =>
                {
                    _ = tg.CreateTask(FailAfterSignal());
                    await Aio.Sleep(10);
                });
            }
            catch (ExceptionGroup)
            {
                cancellingInCatch = Aio.CurrentTask()!.Cancelling();
            }
            await Aio.Sleep(1);
            return 1;
        }
        async Coroutine<int> Main()
        {
            var inner = Aio.CreateTask(Inner());
            await ev;
            inner.Cancel();
            await Assert.ThrowsAsync<CancelledError>(async () => await inner);
            Assert.True(inner.IsCancelled);
            return 0;
        }
        loop.RunUntilComplete(Main());
        Assert.Equal(1, cancellingInCatch);
        loop.Close();
    }

    [Fact] // the await-using form
    public void TaskGroup_AwaitUsing_WaitsForChildren_GroupsChildFailures()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            AioTask<int> a;
            await using (var tg = new TaskGroup())
            {
                a = tg.CreateTask(Aio.Sleep(0.5, 5));
            }
            Assert.Equal(5, a.Result());
            Assert.Equal(0.5, loop.Time(), 3);
            bool bodyCancelled = false;
            async Coroutine<int> Body()
            {
                await using var tg = new TaskGroup();
                _ = tg.CreateTask(FailAfter(0.1, new FormatException()));
                try
                {
                    await Aio.Sleep(10);
                }
                catch (CancelledError)
                {
                    bodyCancelled = true;
                }
                return 0;
            }
            ExceptionGroup? g = null;
            try
            {
                await Body();
            }
            catch (ExceptionGroup e)
            {
                g = e;
            }
            Assert.True(bodyCancelled);
            Assert.IsType<FormatException>(Assert.Single(g!.Exceptions));
            return Aio.CurrentTask()!.Cancelling();
        }
        Assert.Equal(0, loop.RunUntilComplete(Main()));
        loop.Close();
    }
}
