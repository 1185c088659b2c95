namespace Asyncio.Tests.Composition;

/// <summary>
/// asyncio 3.13's <c>as_completed</c> iterator enumerated again after a <c>break</c>: it goes on with the children
/// not yielded yet, in completion order, and loses none that completed in between.
/// </summary>
public class AsCompletedBreakTests
{
    [Fact]
    public void EnumeratedAgainAfterBreak_YieldsTheRestInCompletionOrder()
    {
        var r = TestLoop.RunVirtual(async () =>
        {
            var values = new List<string>();
            var iterator = Aio.AsCompleted(new[] { Aio.Sleep(0.3, "c"), Aio.Sleep(0.1, "a"), Aio.Sleep(0.2, "b") });
            await foreach (var next in iterator)
            {
                values.Add(await next);
                break;
            }
            await foreach (var next in iterator) values.Add(await next);
            return values;
        });
        Assert.Equal(new[] { "a", "b", "c" }, r);
    }

    [Fact]
    public void CompletionsWhileNobodyEnumerates_AreYieldedNextInTheOrderTheyCompleted()
    {
        var r = TestLoop.RunVirtual(async () =>
        {
            var values = new List<string>();
            var iterator = Aio.AsCompleted(new[]
            {
                Aio.Sleep(0.4, "d"), Aio.Sleep(0.3, "c"), Aio.Sleep(0.1, "a"), Aio.Sleep(0.2, "b"), Aio.Sleep(0.05, "first"),
            });
            await foreach (var next in iterator)
            {
                values.Add(await next);
                break;
            }
            await Aio.Sleep(0.35);
            await foreach (var next in iterator) values.Add(await next);
            return values;
        });
        Assert.Equal(new[] { "first", "a", "b", "c", "d" }, r);
    }

    [Fact]
    public void EnumeratedAgainAfterTheEnd_YieldsNothing()
    {
        var r = TestLoop.RunVirtual(async () =>
        {
            var iterator = Aio.AsCompleted(new[] { Aio.Sleep(0.1, 1), Aio.Sleep(0.2, 2) });
            int sum = 0;
            await foreach (var next in iterator) sum += await next;
            await foreach (var next in iterator) sum += 100;
            return sum;
        });
        Assert.Equal(3, r);
    }

    [Fact]
    public void ThroughIAsyncEnumerable_EnumeratedAgainAfterBreak_YieldsTheRest()
    {
        var r = TestLoop.RunVirtual(async () =>
        {
            IAsyncEnumerable<Awaitable<string>> sequence = Aio.AsCompleted(new[] { Aio.Sleep(0.2, "b"), Aio.Sleep(0.1, "a") });
            var values = new List<string>();
            await foreach (var next in sequence)
            {
                values.Add(await next);
                break;
            }
            await foreach (var next in sequence) values.Add(await next);
            return values;
        });
        Assert.Equal(new[] { "a", "b" }, r);
    }

    // asyncio: the children done in time are still yielded, then one TimeoutError per child that was not.
    [Fact]
    public void TimeoutWhileNobodyEnumerates_YieldsTheDoneOnes_ThenOneTimeoutPerChildNotDone_ThenEnds()
    {
        var r = TestLoop.RunVirtual(async () =>
        {
            var events = new List<string>();
            var iterator = Aio.AsCompleted(new[] { Aio.Sleep(0.1, "a"), Aio.Sleep(0.2, "b"), Aio.Sleep(5, "c"), Aio.Sleep(6, "d") }, timeout: 1);
            await foreach (var next in iterator)
            {
                events.Add(await next);
                break;
            }
            await Aio.Sleep(2);
            for (int round = 0; round < 4; round++)
            {
                try
                {
                    await foreach (var next in iterator) events.Add(await next);
                    events.Add("end");
                }
                catch (TimeoutException)
                {
                    events.Add("timeout");
                }
            }
            return events;
        });
        Assert.Equal(new[] { "a", "b", "timeout", "timeout", "end", "end" }, r);
    }
}
