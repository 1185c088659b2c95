namespace Asyncio.Tests.Loop;

/// <summary>
/// The ready queue's blocks: drained blocks beyond the few a loop keeps go to a weakly held stash, from which the
/// next burst of the same loop or of the next loop takes them, and which a full collection empties.
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public class ReadyQueueMemoryTests
{
    /// <summary>100,000 queued callbacks take about a hundred 32 KB blocks.</summary>
    private const int Burst = 100_000;

    private static readonly Action s_nothing = static () => { };

    private static void ScheduleBurst(EventLoop loop)
    {
        for (int i = 0; i < Burst; i++) loop.CallSoon(s_nothing);
    }

    [Fact]
    public void ASecondBurst_OnTheSameLoop_ReusesTheFirstBurstsBlocks()
    {
        var loop = TestLoop.NewVirtual();
        long secondBurstAllocated = 0;

        async Coroutine Main()
        {
            ScheduleBurst(loop);
            await Aio.Sleep(0);   // runs behind the burst: the burst's blocks are drained
            long before = GC.GetAllocatedBytesForCurrentThread();
            ScheduleBurst(loop);
            secondBurstAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
            await Aio.Sleep(0);
        }

        RunWithoutFullCollection(() => loop.RunUntilComplete(Main()));
        loop.Close();

        // New blocks would be 3.2 MB; what remains is the handles' cancellation blocks (40 bytes per 1,024 calls).
        Assert.True(secondBurstAllocated < 64_000, $"the second burst allocated {secondBurstAllocated:N0} bytes");
    }

    [Fact]
    public void ABurstsBlocks_OnARunningLoop_AreFreedByAFullCollection()
    {
        var loop = TestLoop.NewVirtual();
        long before = 0;
        long after = 0;

        async Coroutine Main()
        {
            await Aio.Sleep(0);
            before = GC.GetTotalMemory(forceFullCollection: true);
            ScheduleBurst(loop);
            await Aio.Sleep(0);
            after = GC.GetTotalMemory(forceFullCollection: true);
        }

        loop.RunUntilComplete(Main());
        loop.Close();

        // Holding the burst's blocks would keep 3.2 MB; the loop keeps 16 (512 KB) for a steady flow.
        Assert.True(after - before < 1_000_000, $"{after - before:N0} bytes were still held after the burst");
    }

    [Fact]
    public void ALoopRunAfterAnotherClosed_ReusesItsBlocks()
    {
        var first = TestLoop.NewVirtual();
        var second = TestLoop.NewVirtual();
        long allocated = 0;
        RunWithoutFullCollection(() =>
        {
            first.RunUntilComplete(BurstAndYield(first));
            first.Close();
            long before = GC.GetAllocatedBytesForCurrentThread();
            ScheduleBurst(second);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        });
        second.RunUntilComplete(YieldOnce());
        second.Close();

        // New blocks would be 3.2 MB; what remains is the handles' cancellation blocks (40 bytes per 1,024 calls).
        Assert.True(allocated < 64_000, $"the burst on the second loop allocated {allocated:N0} bytes");
    }

    [Fact]
    public void BlocksOfAClosedLoop_AreFreedByAFullCollection()
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var loop = TestLoop.NewVirtual();
        loop.RunUntilComplete(BurstAndYield(loop));
        loop.Close();
        long after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.Null(ReadyBlockStash.TryTake());
        Assert.True(after - before < 1_000_000, $"{after - before:N0} bytes were still held after the loop closed");
    }

    /// <summary>
    /// Runs <paramref name="action"/> with no collection: a full one would free the stash, which is the point of a
    /// reuse test (starting the region may collect, so it starts before the first burst).
    /// </summary>
    private static void RunWithoutFullCollection(Action action)
    {
        Assert.True(GC.TryStartNoGCRegion(32_000_000), "could not start a no-GC region");
        try
        {
            action();
        }
        finally
        {
            if (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
    }

    private static async Coroutine YieldOnce() => await Aio.Sleep(0);

    /// <summary>Queues a burst and yields behind it: the burst has run, its blocks are drained.</summary>
    private static async Coroutine BurstAndYield(EventLoop loop)
    {
        ScheduleBurst(loop);
        await Aio.Sleep(0);
    }
}
