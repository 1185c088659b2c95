namespace Asyncio.Tests.Composition;

/// <summary>asyncio.as_completed: B093–B096.</summary>
public class AsCompletedTests
{
    [Fact] // B093
    public void AsCompleted_YieldsInCompletionOrder()
    {
        var r = TestLoop.RunVirtual(async () =>
        {
            var values = new List<string>();
            await foreach (var next in Aio.AsCompleted(new[] { Aio.Sleep(0.03, "c"), Aio.Sleep(0.01, "a"), Aio.Sleep(0.02, "b") }))
            {
                values.Add(await next);
            }
            return values;
        });
        Assert.Equal(new[] { "a", "b", "c" }, r);
    }

    [Fact] // B094
    public void AsCompleted_Timeout_ThrowsTimeoutException_RemainingNotCancelled()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            var a = Aio.CreateTask(Aio.Sleep(0.01, "a"));
            var b = Aio.CreateTask(Aio.Sleep(0.2, "b"));
            var values = new List<string>();
            try
            {
                await foreach (var next in Aio.AsCompleted(new[] { a, b }, timeout: 0.05))
                {
                    values.Add(await next);
                }
            }
            catch (TimeoutException)
            {
                values.Add("TimeoutError");
            }
            Assert.Equal(new[] { "a", "TimeoutError" }, values);
            Assert.False(b.IsCancelled);
            Assert.False(b.IsDone);
            await b;
            return 0;
        }
        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact] // B095
    public void AsCompleted_DeduplicatesInputs_EmptyYieldsNothing()
    {
        var r = TestLoop.RunVirtual(async () =>
        {
            var c = Aio.Sleep(0.01, "ham");
            var values = new List<string>();
            await foreach (var next in Aio.AsCompleted(new[] { c, c, Aio.Sleep(0.02, "spam") })) values.Add(await next);
            await foreach (var next in Aio.AsCompleted(Array.Empty<AioTask<string>>())) values.Add("never");
            return values;
        });
        Assert.Equal(new[] { "ham", "spam" }, r);
    }

    [Fact] // B096
    public void AsCompleted_YieldsTheOriginalFutures_TasksForCoroutines()
    {
        var r = TestLoop.RunVirtual(async () =>
        {
            var t1 = Aio.CreateTask(Aio.Sleep(0.01, 1));
            var outs = new List<Future?>();
            await foreach (var next in Aio.AsCompleted<int>(new Awaitable<int>[] { t1, Aio.Sleep(0, 2) })) outs.Add(next.Future);
            Assert.Contains(t1, outs);
            Assert.All(outs, f => Assert.IsAssignableFrom<AioTask>(f));
            return outs.Count;
        });
        Assert.Equal(2, r);
    }

    [Fact] // a failed child fails only its own item
    public void AsCompleted_FailedChild_ThrowsOnlyWhenItsItemIsAwaited()
    {
        static async Coroutine<int> Fail()
        {
            await Aio.Sleep(0.01);
            throw new FormatException();
        }
        var r = TestLoop.RunVirtual(async () =>
        {
            var results = new List<string>();
            await foreach (var next in Aio.AsCompleted(new[] { Fail(), Aio.Sleep(0.02, 2) }))
            {
                try
                {
                    results.Add((await next).ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                catch (FormatException)
                {
                    results.Add("failed");
                }
            }
            return results;
        });
        Assert.Equal(new[] { "failed", "2" }, r);
    }

    [Fact] // leaving the loop early leaves the children running
    public void AsCompleted_BreakingEarly_LeavesTheRestRunning()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            var slow = Aio.CreateTask(Aio.Sleep(1, 2));
            await foreach (var next in Aio.AsCompleted(new[] { Aio.CreateTask(Aio.Sleep(0.1, 1)), slow }, timeout: 0.5))
            {
                if (await next == 1) break;
            }
            await Aio.Sleep(0.6);
            Assert.False(slow.IsDone);
            return await slow;
        }
        Assert.Equal(2, loop.RunUntilComplete(Main()));
        loop.Close();
    }

    [Fact] // through the IAsyncEnumerable interface (a ValueTask, awaited as a foreign awaitable)
    public void AsCompleted_ThroughIAsyncEnumerable_Works()
    {
        var r = TestLoop.RunVirtual(async () =>
        {
            IAsyncEnumerable<Awaitable<string>> sequence = Aio.AsCompleted(new[] { Aio.Sleep(0.02, "b"), Aio.Sleep(0.01, "a") });
            var values = new List<string>();
            await foreach (var next in sequence) values.Add(await next);
            return values;
        });
        Assert.Equal(new[] { "a", "b" }, r);
    }

    private static async IAsyncEnumerable<int> Ticks(int n)
    {
        for (int i = 0; i < n; i++)
        {
            await Aio.Sleep(1);
            yield return i;
        }
    }

    [Fact] // the core and a compiler-generated async iterator: await foreach inside a coroutine
    public void AwaitForeach_OverACompilerAsyncIterator_InsideACoroutine_Works()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine<int> Main()
        {
            int sum = 0;
            await foreach (int i in Ticks(5)) sum += i;
            return sum;
        }
        Assert.Equal(10, loop.RunUntilComplete(Main()));
        Assert.Equal(5, loop.Time(), 3);
        loop.Close();
    }
}
