namespace Asyncio.Tests.Queues;

/// <summary>
/// A waiting queue operation reuses the waiter of the last wait that ended: a steady flow of waits allocates
/// nothing, and an awaitable awaited a second time still fails, even once its waiter serves another wait.
/// </summary>
public class WaiterReuseTests
{
    [Fact]
    public void SecondAwaitOfAWaitingGet_Throws_EvenAfterItsWaiterServedAnotherGet()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<int>();

        async Coroutine<string> Main()
        {
            LoopAwaitable<int> first = q.GetAsync();
            loop.CallSoon(() => q.PutNowait(1));
            Assert.Equal(1, await first);

            // The next waiting get takes the same waiter back; the stale awaitable must not wait on it.
            LoopAwaitable<int> second = q.GetAsync();
            loop.CallSoon(() => q.PutNowait(2));
            var reuse = await Assert.ThrowsAsync<InvalidOperationException>(async () => await first);
            Assert.Equal(2, await second);
            return reuse.Message;
        }

        Assert.Equal("cannot reuse an already awaited primitive operation", loop.RunUntilComplete(Main()));
        loop.Close();
    }

    [Fact]
    public void PingPongThroughQueues_AllocatesNoWaiterPerRoundTrip()
    {
        var loop = TestLoop.NewVirtual();
        var there = new AsyncQueue<int>(1);
        var back = new AsyncQueue<int>(1);
        const int rounds = 1000;

        async Coroutine Echo()
        {
            for (int i = 0; i < rounds; i++) await back.PutAsync(await there.GetAsync());
        }

        async Coroutine<long> Main()
        {
            var echo = Aio.CreateTask(Echo());
            long before = 0;
            for (int i = 0; i < rounds; i++)
            {
                if (i == 10) before = GC.GetAllocatedBytesForCurrentThread();
                await there.PutAsync(i);
                if (await back.GetAsync() != i) throw new InvalidOperationException("out of order");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            await echo;
            return allocated;
        }

        long bytes = loop.RunUntilComplete(Main());
        // A waiter is about 100 bytes and each round trip waits twice: well under one byte per round trip now.
        Assert.True(bytes < rounds, $"{bytes} bytes allocated over {rounds} round trips");
        loop.Close();
    }
}
