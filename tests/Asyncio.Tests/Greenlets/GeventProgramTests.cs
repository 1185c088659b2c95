using Asyncio.Greenlets;

namespace Asyncio.Tests.Greenlets;

/// <summary>A gevent-style program at scale: many spawned greenlets sleeping, switching and exchanging messages.</summary>
public class GeventProgramTests
{
    [Fact]
    public void TenThousandGreenlets_SleepSwitchAndPassMessagesRoundARing()
    {
        const int n = 10_000;
        var (greenlets, elapsed) = GeventTests.Run(async () =>
        {
            var inboxes = Enumerable.Range(0, n).Select(_ => new AsyncQueue<int>()).ToArray();
            var greenlets = Enumerable.Range(0, n).Select(i => Gevent.Spawn(async arg =>
            {
                int me = (int)arg!;
                // Sleep a while (virtual time), then count to three with a greenlet of its own, by switching.
                await Gevent.Sleep(me % 7 * 0.1);
                int counted = await CountByPingPong(3);
                // Pass a message to the next greenlet of the ring, and receive one from the previous.
                await inboxes[(me + 1) % n].PutAsync(me);
                int received = await inboxes[me].GetAsync();
                await Gevent.Sleep(0);
                return (counted, received);
            }, i)).ToList();
            double t0 = Aio.GetRunningLoop().Time();
            var done = await Gevent.JoinAll(greenlets, timeout: 60);
            Assert.Equal(n, done.Count);
            return (greenlets, Aio.GetRunningLoop().Time() - t0);
        });
        for (int i = 0; i < n; i++)
        {
            Assert.True(greenlets[i].IsSuccessful);
            Assert.Equal((3, (i + n - 1) % n), greenlets[i].Value);
        }
        // The longest sleep is 0.6 s: the greenlets slept side by side, not one after another.
        Assert.InRange(elapsed, 0.6, 1.0);
    }

    /// <summary>Two greenlets of the same task switching a counter back and forth until it reaches <paramref name="limit"/>.</summary>
    private static async Coroutine<int> CountByPingPong(int limit)
    {
        Greenlet main = Greenlet.Current;
        var echo = new Greenlet(async first =>
        {
            object? v = first;
            while (true) v = await main.Switch((int)v! + 1);
        });
        int count = 0;
        while (count < limit) count = (int)(await echo.Switch(count))!;
        return count;
    }
}
