namespace Asyncio.Tests.Composition;

/// <summary>asyncio.TaskGroup: B081–B092.</summary>
public class TaskGroupTests
{
    private static async Coroutine<int> FailAfter(double seconds, Exception error)
    {
        await Aio.Sleep(seconds);
        throw error;
    }

    [Fact] // B081
    public void TaskGroup_ExitWaitsForEveryChild()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            AioTask<int>? t1 = null, t2 = null;
            await TaskGroup.Run(async tg =>
            {
                t1 = tg.CreateTask(Aio.Sleep(0.02, 42));
                t2 = tg.CreateTask(Aio.Sleep(0.01, 11), name: "yolo");
                await Aio.Sleep(0);
                Assert.False(t1.IsDone);
                Assert.Equal("yolo", t2.Name);
            });
            Assert.Equal(42, t1!.Result());
            Assert.Equal(11, t2!.Result());
            int v = await TaskGroup.Run(async tg =>
            {
                var a = tg.CreateTask(Aio.Sleep(0.01, 1));
                return await a + 1;
            });
            return v;
        }
        Assert.Equal(2, loop.RunUntilComplete(Main()));
        loop.Close();
    }

    [Fact] // the spawning-only form: a plain lambda, no CS4014 for discarded tasks; async lambdas still pick the coroutine form
    public void TaskGroup_RunWithASynchronousBody_WaitsForChildren()
    {
        var loop = TestLoop.NewVirtual();
        int done = 0;
        async Coroutine<int> Child(double s)
        {
            await Aio.Sleep(s);
            return ++done;
        }
        async Coroutine<int> Main()
        {
            await TaskGroup.Run(tg =>
            {
                tg.CreateTask(Child(0.1));
                tg.CreateTask(Child(0.2));
            });
            await TaskGroup.Run(async tg =>
            {
                await Aio.Sleep(0.1);
                _ = tg.CreateTask(Child(0.1));
            });
            return done;
        }
        Assert.Equal(3, loop.RunUntilComplete(Main()));
        Assert.Equal(0.4, loop.Time(), 3);
        loop.Close();
    }

    [Fact] // B082
    public void TaskGroup_FailingChild_CancelsSiblingsAndBody_CancellingRestored()
    {
        var loop = TestLoop.NewVirtual();
        var log = new List<string>();
        async Coroutine<int> Sibling()
        {
            try
            {
                await Aio.Sleep(5);
            }
            catch (CancelledError)
            {
                log.Add("sibling cancelled");
                throw;
            }
            return 0;
        }
        async Coroutine<int> Main()
        {
            try
            {
                await TaskGroup.Run(async tg =>
                {
                    _ = tg.CreateTask(FailAfter(0.01, new DivideByZeroException()));
                    _ = tg.CreateTask(Sibling());
                    try
                    {
                        await Aio.Sleep(10);
                    }
                    catch (CancelledError)
                    {
                        log.Add("body cancelled");
                        throw;
                    }
                });
            }
            catch (ExceptionGroup g)
            {
                log.Add($"caught {g.Exceptions.Count} {g.Exceptions[0].GetType().Name}");
            }
            log.Add($"cancelling {Aio.CurrentTask()!.Cancelling()}");
            await Aio.Sleep(0.1);
            return 0;
        }
        var task = loop.CreateTask(Main());
        loop.RunUntilComplete(task);
        Assert.Equal(new[] { "sibling cancelled", "body cancelled", "caught 1 DivideByZeroException", "cancelling 0" }, log);
        loop.Close();
    }

    [Fact] // B083
    public void TaskGroup_ExceptionInBody_CancelsChildren_IsGrouped()
    {
        var loop = TestLoop.NewVirtual();
        AioTask<int>? a = null, b = null;
        async Coroutine<int> Main()
        {
            var g = await Assert.ThrowsAsync<ExceptionGroup>(async () => await TaskGroup.Run(async tg =>
            {
                a = tg.CreateTask(Aio.Sleep(10, 1));
                b = tg.CreateTask(Aio.Sleep(10, 2));
                await Aio.Sleep(0.01);
                throw new DivideByZeroException();
            }));
            Assert.IsType<DivideByZeroException>(Assert.Single(g.Exceptions));
            return 0;
        }
        loop.RunUntilComplete(Main());
        Assert.True(a!.IsCancelled && b!.IsCancelled);
        loop.Close();
    }

    [Fact] // B084
    public void TaskGroup_EveryErrorIsCollected()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> FinallyRaises()
        {
            try
            {
                await Aio.Sleep(10);
            }
            finally
            {
                throw new KeyNotFoundException();
            }
        }
        async Coroutine<int> Main()
        {
            var g1 = await Assert.ThrowsAsync<ExceptionGroup>(async () => await TaskGroup.Run(async tg =>
            {
                for (int i = 0; i < 3; i++) _ = tg.CreateTask(FailAfter(0.01, new ArgumentException()));
                await Aio.Sleep(1);
            }));
            Assert.Equal(3, g1.Exceptions.Count(e => e is ArgumentException));
            var g2 = await Assert.ThrowsAsync<ExceptionGroup>(async () => await TaskGroup.Run(async tg =>
            {
                _ = tg.CreateTask(FailAfter(0.01, new ArgumentException()));
                _ = tg.CreateTask(FinallyRaises());
                await Aio.Sleep(1);
            }));
            Assert.Equal(new[] { typeof(ArgumentException), typeof(KeyNotFoundException) }, g2.Exceptions.Select(e => e.GetType()));
            var g3 = await Assert.ThrowsAsync<ExceptionGroup>(async () => await TaskGroup.Run(async tg =>
            {
                _ = tg.CreateTask(FailAfter(0.01, new DivideByZeroException()));
                try
                {
                    await Aio.Sleep(1);
                }
                finally
                {
                    throw new FormatException();
                }
            }));
            Assert.Equal(new[] { typeof(DivideByZeroException), typeof(FormatException) }, g3.Exceptions.Select(e => e.GetType()));
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B088
    public void TaskGroup_CreateTaskAfterFinishedOrWhileShuttingDown_Throws()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            TaskGroup? group = null;
            await TaskGroup.Run(async tg =>
            {
                group = tg;
                await Aio.Sleep(0);
            });
            var coro = Aio.Sleep(1, 1);
            Assert.Contains("is finished", Assert.Throws<InvalidOperationException>(() => group!.CreateTask(coro)).Message);
            await coro;
            string? shuttingDown = null;
            await Assert.ThrowsAsync<ExceptionGroup>(async () => await TaskGroup.Run(async tg =>
            {
                _ = tg.CreateTask(FailAfter(0, new FormatException()));
                try
                {
                    await Aio.Sleep(1);
                }
                catch (CancelledError)
                {
                    shuttingDown = Assert.Throws<InvalidOperationException>(() => tg.CreateTask(Aio.Sleep(0, 0))).Message;
                    throw;
                }
            }));
            Assert.Contains("is shutting down", shuttingDown);
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B088: no parent task
    public void TaskGroup_WithoutATask_Throws()
    {
        var loop = TestLoop.NewVirtual();
        Exception? error = null;
        loop.CallSoon(() => error = Record.Exception(() => new TaskGroup()));
        loop.RunOnce();
        Assert.IsType<InvalidOperationException>(error);
        loop.Close();
    }

    [Fact] // B089
    public void TaskGroup_Nested_InnerGroupBecomesMemberOfOuter()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            var g = await Assert.ThrowsAsync<ExceptionGroup>(async () => await TaskGroup.Run(async outer =>
            {
                _ = outer.CreateTask(FailAfter(10, new ArgumentException()));
                await TaskGroup.Run(async inner =>
                {
                    _ = inner.CreateTask(FailAfter(0.01, new ArgumentException()));
                    await Aio.Sleep(1);
                });
            }));
            var nested = Assert.IsType<ExceptionGroup>(Assert.Single(g.Exceptions));
            Assert.IsType<ArgumentException>(Assert.Single(nested.Exceptions));
            var g2 = await Assert.ThrowsAsync<ExceptionGroup>(async () => await TaskGroup.Run(async outer =>
            {
                _ = outer.CreateTask(FailAfter(0.01, new ArgumentException()));
                await TaskGroup.Run(async inner =>
                {
                    _ = inner.CreateTask(FailAfter(10, new ArgumentException()));
                    await Aio.Sleep(1);
                });
            }));
            Assert.IsType<ArgumentException>(Assert.Single(g2.Exceptions));
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B090
    public void TaskGroup_CancelledChild_IsNotAnError()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> RaisesCancelled()
        {
            await Aio.Sleep(0);
            throw new CancelledError();
        }
        async Coroutine<int> Main()
        {
            AioTask<int>? t1 = null, t2 = null, t3 = null;
            await TaskGroup.Run(async tg =>
            {
                t1 = tg.CreateTask(Aio.Sleep(1, 1));
                await Aio.Sleep(0.1);
                t1.Cancel();
                t2 = tg.CreateTask(Aio.Sleep(0.2, 2));
                t3 = tg.CreateTask(RaisesCancelled());
            });
            Assert.True(t1!.IsCancelled);
            Assert.True(t3!.IsCancelled);
            return t2!.Result();
        }
        Assert.Equal(2, loop.RunUntilComplete(Main()));
        loop.Close();
    }

    [Fact] // B092
    public void TaskGroup_ChildrenMayAddTasks_AlsoWhileTheGroupIsExiting()
    {
        var loop = TestLoop.NewVirtual();
        int ran = 0;
        async Coroutine<int> Leaf()
        {
            await Aio.Sleep(0.01);
            ran++;
            return 0;
        }
        async Coroutine<int> Root(TaskGroup g)
        {
            await Aio.Sleep(0.1);
            _ = g.CreateTask(Leaf());
            _ = g.CreateTask(Leaf());
            return 0;
        }
        async Coroutine<int> Main()
        {
            await TaskGroup.Run(tg =>
            {
                _ = tg.CreateTask(Root(tg));
                return Aio.Sleep(0, 0);
            });
            return ran;
        }
        Assert.Equal(2, loop.RunUntilComplete(Main()));
        loop.Close();
    }

}
