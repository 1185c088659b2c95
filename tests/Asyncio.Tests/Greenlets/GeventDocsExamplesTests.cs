using Asyncio.Greenlets;

namespace Asyncio.Tests.Greenlets;

/// <summary>The examples of docs/greenlets.md do what the document says.</summary>
public class GeventDocsExamplesTests
{
    [Fact]
    public void ParentThrowExample_Prints42ThenBye()
    {
        var printed = GeventTests.Run(async () =>
        {
            var printed = new List<object?>();
            Greenlet main = Greenlet.Current;
            var c = new Greenlet(async x =>
            {
                try
                {
                    await main.Switch((int)x! * 2);
                }
                catch (GreenletExit)
                {
                    return "bye";
                }
                return null;
            });
            printed.Add(await c.Switch(21));
            printed.Add(await c.Throw());
            return printed;
        });
        Assert.Equal([42, "bye"], printed);
    }

    [Fact]
    public void JoinAllExample_PrintsTheSquares()
    {
        var values = GeventTests.Run(async () =>
        {
            var jobs = Enumerable.Range(0, 5).Select(n => Gevent.Spawn(Work, n)).ToList();
            await Gevent.JoinAll(jobs, timeout: 2);
            return jobs.Select(j => j.Value).ToList();
        });
        Assert.Equal([0, 1, 4, 9, 16], values);

        static async Coroutine<object?> Work(object? n)
        {
            await Gevent.Sleep((int)n! / 10.0);
            return (int)n * (int)n;
        }
    }
}
