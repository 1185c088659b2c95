using System.Runtime.CompilerServices;
using System.Diagnostics;

namespace Asyncio.Tests.Boundary;

/// <summary>
/// Cancellation reaches awaits of .NET's own awaitables (<see cref="Task"/>, <see cref="ValueTask"/>) as it
/// reaches the loop's: the await ends at once with <see cref="CancelledError"/>, the .NET operation is
/// abandoned, and Timeout, WaitFor and TaskGroup behave as with any other await.
/// </summary>
public class ForeignAwaitCancellationTests
{
    /// <summary>A .NET task that never completes.</summary>
    private static Task<int> Never() => new TaskCompletionSource<int>().Task;

    [Fact]
    public void Timeout_AtATaskDelay_RaisesTimeoutException()
    {
        Exception? caught = TestLoop.RunVirtual(async () =>
        {
            try
            {
                await Aio.Timeout(0.1, async () =>
                {
                    await Task.Delay(3000);
                    return "x";
                });
                return (Exception?)null;
            }
            catch (TimeoutException e)
            {
                return e;
            }
        });
        Assert.IsType<TimeoutException>(caught);
        Assert.IsType<CancelledError>(caught!.InnerException);
    }

    [Fact]
    public void Timeout_AtATaskDelay_OnRealTime_EndsAtTheDeadline()
    {
        var stopwatch = Stopwatch.StartNew();
        Assert.Throws<TimeoutException>(() => Aio.Run(Aio.Timeout(0.1, async () =>
        {
            await Task.Delay(3000);
            return "x";
        })));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2.5), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public void Timeout_AtADelayGivenTheTaskToken_RaisesTimeoutException_NotTaskCanceledException()
    {
        Exception? caught = TestLoop.RunVirtual(async () =>
        {
            try
            {
                await Aio.Timeout(0.1, async () =>
                {
                    await Task.Delay(3000, Aio.CurrentTask()!.CancellationToken);
                    return "x";
                });
                return (Exception?)null;
            }
            catch (Exception e)
            {
                return e;
            }
        });
        Assert.IsType<TimeoutException>(caught);
    }

    [Fact]
    public void TaskToken_AfterATimeoutExpired_IsFreshAndLive()
    {
        var (tokenLive, laterDelayRan) = TestLoop.RunVirtual(async () =>
        {
            try
            {
                await Aio.Timeout(0.1, async () => await Task.Delay(3000, Aio.CurrentTask()!.CancellationToken));
            }
            catch (TimeoutException)
            {
            }
            CancellationToken token = Aio.CurrentTask()!.CancellationToken;
            bool live = !token.IsCancellationRequested;
            await Task.Delay(1, token);
            return (live, true);
        });
        Assert.True(tokenLive);
        Assert.True(laterDelayRan);
    }

    [Fact]
    public void TaskToken_WhileACancellationIsRequested_StaysCancelled()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<bool> Body()
        {
            try
            {
                await Never();
            }
            catch (CancelledError)
            {
            }
            return Aio.CurrentTask()!.CancellationToken.IsCancellationRequested;
        }
        var task = loop.CreateTask(Body());
        loop.CallLater(1, () => task.Cancel());
        Assert.True(loop.RunUntilComplete(task));
        loop.Close();
    }

    [Fact]
    public void TaskGroup_ChildTimingOutAtAForeignAwait_FailsTheGroupWithTimeoutException()
    {
        Exception? caught = TestLoop.RunVirtual(async () =>
        {
            try
            {
                await TaskGroup.Run(tg =>
                {
                    tg.CreateTask(Aio.Timeout(0.1, async () => await Task.Delay(3000, Aio.CurrentTask()!.CancellationToken)));
                    tg.CreateTask(Aio.Sleep(10));
                });
                return (Exception?)null;
            }
            catch (Exception e)
            {
                return e;
            }
        });
        var group = Assert.IsType<ExceptionGroup>(caught);
        Assert.IsType<TimeoutException>(Assert.Single(group.InnerExceptions));
    }

    [Fact]
    public void WaitFor_ACoroutineAtAForeignAwait_TimesOutAtTheDeadline()
    {
        static async Coroutine<int> AwaitsDotNet() => await Never();

        double? at = TestLoop.RunVirtual(async () =>
        {
            try
            {
                await Aio.WaitFor(AwaitsDotNet(), 0.1);
                return (double?)null;
            }
            catch (TimeoutException)
            {
                return Aio.GetRunningLoop().Time();
            }
        });
        Assert.Equal(0.1, at!.Value, 6);
    }

    [Fact]
    public void Cancel_ATaskParkedOnATaskThatNeverCompletes_EndsTheTaskWithTheMessage()
    {
        var loop = TestLoop.NewVirtual();
        static async Coroutine<int> Parked() => await Never();
        var task = loop.CreateTask(Parked());
        loop.CallLater(1, () => task.Cancel("stop"));
        var error = Assert.Throws<CancelledError>(() => loop.RunUntilComplete(task));
        Assert.Equal("stop", error.Message);
        Assert.True(task.IsCancelled);
        loop.Close();
    }

    [Fact]
    public void Cancel_AtAForeignAwait_SurfacesAtThatAwait_AndTheCoroutineMayGoOn()
    {
        var log = new List<string>();
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Body()
        {
            try
            {
                await Never();
                log.Add("not reached");
            }
            catch (CancelledError e)
            {
                log.Add($"caught {e.Message}");
            }
            await Task.Delay(1);
            return Aio.CurrentTask()!.Cancelling();
        }
        var task = loop.CreateTask(Body());
        loop.CallLater(1, () => task.Cancel("m"));
        Assert.Equal(1, loop.RunUntilComplete(task));
        Assert.Equal(["caught m"], log);
        loop.Close();
    }

    [Fact]
    public void Cancel_AfterTheForeignOperationCompleted_IsDeliveredAtThatAwait()
    {
        var loop = TestLoop.NewVirtual();
        var source = new TaskCompletionSource<int>();   // continuations run inline, on the loop thread here
        bool reachedAfterAwait = false;
        async Coroutine<int> Body()
        {
            int value = await source.Task;
            reachedAfterAwait = true;
            return value;
        }
        var task = loop.CreateTask(Body());
        loop.CallLater(1, () =>
        {
            source.SetResult(5);       // the resume step is posted...
            task.Cancel("late");       // ...and the cancellation comes before it runs
        });
        var error = Assert.Throws<CancelledError>(() => loop.RunUntilComplete(task));
        Assert.Equal("late", error.Message);
        Assert.False(reachedAfterAwait);
        loop.Close();
    }

    [Fact]
    public void SelfCancel_ThenAForeignAwait_ThrowsAtThatAwait()
    {
        string result = TestLoop.RunVirtual(async () =>
        {
            Aio.CurrentTask()!.Cancel("self");
            try
            {
                await Never();
                return "not reached";
            }
            catch (CancelledError e)
            {
                return e.Message;
            }
        });
        Assert.Equal("self", result);
    }

    [Theory]
    [InlineData("Task")]
    [InlineData("Task<T>")]
    [InlineData("ConfiguredTask")]
    [InlineData("ConfiguredTask<T>")]
    [InlineData("ValueTask")]
    [InlineData("ValueTask<T>")]
    [InlineData("ConfiguredValueTask")]
    [InlineData("ConfiguredValueTask<T>")]
    public void Cancel_InterruptsEveryKindOfDotNetTaskAwait(string kind)
    {
        var loop = TestLoop.NewVirtual();
        var never = new TaskCompletionSource<int>().Task;
        async Coroutine Body()
        {
            switch (kind)
            {
                case "Task": await (Task)never; break;
                case "Task<T>": await never; break;
                case "ConfiguredTask": await ((Task)never).ConfigureAwait(false); break;
                case "ConfiguredTask<T>": await never.ConfigureAwait(false); break;
                case "ValueTask": await new ValueTask(never); break;
                case "ValueTask<T>": await new ValueTask<int>(never); break;
                case "ConfiguredValueTask": await new ValueTask(never).ConfigureAwait(false); break;
                default: await new ValueTask<int>(never).ConfigureAwait(false); break;
            }
        }
        var task = loop.CreateTask(Body());
        loop.CallLater(1, () => task.Cancel());
        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(task));
        loop.Close();
    }

    [Fact]
    public void Timeout_InsideAwaitForeach_OverAnAsyncIteratorGivenTheToken_RaisesTimeoutException()
    {
        static async IAsyncEnumerable<int> Slow([EnumeratorCancellation] CancellationToken token = default)
        {
            yield return 1;
            await Task.Delay(Timeout.Infinite, token);
            yield return 2;
        }

        var seen = new List<int>();
        Assert.Throws<TimeoutException>(() => TestLoop.RunVirtual(() => Aio.Timeout(0.5, async () =>
        {
            await foreach (int item in Slow().WithCancellation(Aio.CurrentTask()!.CancellationToken)) seen.Add(item);
        })));
        Assert.Equal([1], seen);
    }

    [Fact]
    public void AbandonedOperation_ThatFailsLater_LeavesNoUnobservedTaskException()
    {
        string marker = Guid.NewGuid().ToString();
        int unobserved = UnobservedTaskExceptions.CountDuring(() => RunAbandonThenFail(marker), e => e.Message == marker);
        Assert.Equal(0, unobserved);
    }

    private static void RunAbandonThenFail(string marker)
    {
        var source = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = TestLoop.NewVirtual();
        async Coroutine Body() => await FailsLater(source.Task);
        var task = loop.CreateTask(Body());
        loop.CallLater(1, () => task.Cancel());
        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(task));
        loop.Close();
        source.SetException(new InvalidOperationException(marker));
        SpinWait.SpinUntil(() => false, 50);   // the abandoned await's continuation reads the outcome on the pool

        static async Task FailsLater(Task<int> inner) => await inner;
    }

    [Fact]
    public void AbandonedAwait_NoLongerHoldsVirtualTime()
    {
        var stopwatch = Stopwatch.StartNew();
        TestLoop.RunVirtual(async () =>
        {
            var parked = Aio.CreateTask(ParkedForever());
            await Aio.Sleep(0);
            parked.Cancel();
            // Each jump of the clock would wait out a real grace while a foreign await is outstanding.
            for (int i = 0; i < 500; i++) await Aio.Sleep(1);
            return 0;
        });
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");

        static async Coroutine ParkedForever() => await Never();
    }

    [Fact]
    public void OperationCanceledForTheTaskToken_EscapingATimeout_BecomesTimeoutException()
    {
        Exception? caught = TestLoop.RunVirtual(async () =>
        {
            try
            {
                await Aio.Timeout(0.1, async () =>
                {
                    try
                    {
                        await Never();
                    }
                    catch (CancelledError)
                    {
                    }
                    Aio.CurrentTask()!.CancellationToken.ThrowIfCancellationRequested();
                });
                return (Exception?)null;
            }
            catch (Exception e)
            {
                return e;
            }
        });
        Assert.IsType<TimeoutException>(caught);
    }

    [Fact]
    public void OperationCanceledForAnotherToken_IsAnOrdinaryError()
    {
        using var other = new CancellationTokenSource();
        other.Cancel();
        Assert.Throws<TaskCanceledException>(() => TestLoop.RunVirtual(async () =>
        {
            await Task.Delay(10, other.Token);
        }));
    }
}

/// <summary>Queue waits awaited by ordinary async methods inside a task.</summary>
public class ForeignMethodQueueWaitTests
{
    [Fact]
    public void CancellingATask_AfterItsAsyncMethodsQueueWaitEnded_LeavesOtherWaitersAlone()
    {
        var q = new AsyncQueue<int>();
        async Task<int> PlainAsync() => await q.GetAsync();
        async Coroutine<int> A() => await PlainAsync();
        async Coroutine<int> B() => await q.GetAsync();

        int b = TestLoop.RunVirtual(async () =>
        {
            EventLoop loop = Aio.GetRunningLoop();
            var a = Aio.CreateTask(A());
            await Aio.Sleep(0);                  // A waits in the queue from inside PlainAsync
            q.PutNowait(1);                      // wakes it: PlainAsync resumes in the next iteration...
            var other = Aio.CreateTask(B());     // ...then B starts waiting...
            loop.CallSoon(() => a.Cancel());     // ...then A is cancelled, before its own step resumed it
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            q.PutNowait(2);
            return await other;
        });
        Assert.Equal(2, b);
    }
}
