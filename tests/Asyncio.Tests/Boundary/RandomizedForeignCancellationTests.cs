namespace Asyncio.Tests.Boundary;

/// <summary>
/// Tasks parked at a random mix of loop awaits (sleeps, futures, queue gets) and foreign awaits (Task.Delay
/// with and without the task's token, tasks completed or failed from other threads, tasks that never complete,
/// value tasks, async methods awaiting loop futures), under random Timeouts, WaitFors and outside cancellations,
/// on a real-time loop with fixed seeds. Every task must end, every finally must run, every outcome must be a
/// result, a cancellation, a timeout or the error a step threw, and no .NET task exception may go unobserved.
/// </summary>
public class RandomizedForeignCancellationTests
{
    /// <summary>The error failing steps throw.</summary>
    private sealed class StepError() : Exception("step failed");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RandomCancellations_AtMixedAwaits_EndEveryTask_AndLoseNoException(int seed)
    {
        int unobserved = UnobservedTaskExceptions.CountDuring(() =>
        {
            var (started, finallies, outcomes) = Aio.Run(Scenario(new Random(seed), tasks: 150));
            Assert.Equal(started, finallies);
            foreach (Outcome<int> outcome in outcomes)
            {
                if (outcome.Exception is { } error)
                {
                    Assert.True(error is CancelledError or TimeoutException or StepError, $"unexpected {error}");
                }
            }
            // Abandoned operations end on their own threads: give them time before the GC reports leftovers.
            Thread.Sleep(300);
        }, e => e is StepError);
        Assert.Equal(0, unobserved);
    }

    private static async Coroutine<(int Started, int Finallies, Outcome<int>[] Outcomes)> Scenario(Random random, int tasks)
    {
        EventLoop loop = Aio.GetRunningLoop();
        var queue = new AsyncQueue<int>();
        int started = 0, finallies = 0;
        var children = new List<AioTask<int>>();

        async Coroutine<int> Step(int kind, double ms)
        {
            double seconds = ms / 1000;
            switch (kind)
            {
                case 0:
                    await Aio.Sleep(seconds);
                    return 0;
                case 1:
                    var future = loop.CreateFuture<int>();
                    loop.CallLater(seconds, () => future.TrySetResult(1));
                    return await future;
                case 2:
                    loop.CallLater(seconds, () => queue.PutNowait(2));
                    return await queue.GetAsync();
                case 3:
                    await Task.Delay(TimeSpan.FromSeconds(seconds));
                    return 3;
                case 4:
                    await Task.Delay(TimeSpan.FromSeconds(seconds), Aio.CurrentTask()!.CancellationToken);
                    return 4;
                case 5:
                    return await Task.Run(async () =>
                    {
                        await Task.Delay(TimeSpan.FromSeconds(seconds));
                        return 5;
                    });
                case 6:
                    return await Task.Run<int>(async () =>
                    {
                        await Task.Delay(TimeSpan.FromSeconds(seconds));
                        throw new StepError();
                    });
                case 7:
                    return await new TaskCompletionSource<int>().Task;   // never completes
                case 8:
                    return await new ValueTask<int>(Task.Delay(TimeSpan.FromSeconds(seconds)).ContinueWith(_ => 8));
                default:
                    return await AsyncMethodAwaitingTheLoop(loop, seconds);
            }
        }

        async Coroutine<int> Child()
        {
            started++;
            try
            {
                int sum = 0;
                for (int i = 0; i < 3; i++)
                {
                    int kind = random.Next(10);
                    double ms = random.Next(0, 15);
                    // An await that never completes is only taken under a deadline.
                    sum += (kind == 7 ? 1 + random.Next(2) : random.Next(3)) switch
                    {
                        0 => await Step(kind, ms),
                        1 => await Aio.Timeout(random.Next(1, 20) / 1000.0, () => Step(kind, ms)),
                        _ => await Aio.WaitFor(Step(kind, ms), random.Next(1, 20) / 1000.0),
                    };
                }
                return sum;
            }
            finally
            {
                finallies++;
            }
        }

        for (int i = 0; i < tasks; i++) children.Add(Aio.CreateTask(Child()));
        foreach (AioTask<int> child in children)
        {
            if (random.Next(3) == 0) loop.CallLater(random.Next(0, 25) / 1000.0, () => child.Cancel("outside"));
        }
        Outcome<int>[] outcomes;
        try
        {
            outcomes = await Aio.Timeout(30, Aio.GatherResults(children.ToArray()));
        }
        catch (TimeoutException)
        {
            string stuck = string.Join("\n", children.Where(c => !c.IsDone).Select(c => c.ToString()));
            throw new Xunit.Sdk.XunitException($"tasks did not end:\n{stuck}");
        }
        return (started, finallies, outcomes);
    }

    /// <summary>An ordinary async method that awaits loop objects inside the task that awaits it.</summary>
    private static async Task<int> AsyncMethodAwaitingTheLoop(EventLoop loop, double seconds)
    {
        var future = loop.CreateFuture<int>();
        loop.CallLater(seconds, () => future.TrySetResult(9));
        return await future;
    }
}
