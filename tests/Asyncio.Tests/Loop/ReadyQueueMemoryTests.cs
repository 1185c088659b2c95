namespace Asyncio.Tests.Loop;

/// <summary>
/// The ready queue's blocks: a loop that runs burst after burst without waiting reuses the first burst's blocks,
/// a loop about to wait or closing hands them to a stash the next loop takes them from, and the collector frees
/// what nobody takes.
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
    public void ASecondBurst_OnALoopThatDidNotWait_ReusesTheFirstBurstsBlocks()
    {
        var loop = TestLoop.NewVirtual();
        long secondBurstAllocated = 0;

        async Coroutine Main()
        {
            ScheduleBurst(loop);
            await Aio.Sleep(0);   // runs behind the burst, in the same iteration: the loop never waits
            long before = GC.GetAllocatedBytesForCurrentThread();
            ScheduleBurst(loop);
            secondBurstAllocated = GC.GetAllocatedBytesForCurrentThread() - before;
            await Aio.Sleep(0);
        }

        loop.RunUntilComplete(Main());
        loop.Close();

        // New blocks would be 3.2 MB; what remains is the handles' cancellation blocks (40 bytes per 1,024 calls).
        Assert.True(secondBurstAllocated < 64_000, $"the second burst allocated {secondBurstAllocated:N0} bytes");
    }

    [Fact]
    public void ABurstsBlocks_AreLetGo_WhenTheLoopWaits()
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
            await Aio.Sleep(0.01);   // nothing ready: the loop waits (on its virtual clock)
            after = GC.GetTotalMemory(forceFullCollection: true);
        }

        loop.RunUntilComplete(Main());
        GC.KeepAlive(loop);
        loop.Close();

        // Keeping the burst's blocks would hold 3.2 MB; the loop keeps 16 (512 KB) for a steady flow.
        Assert.True(after - before < 1_000_000, $"the loop kept {after - before:N0} bytes after waiting");
    }

    [Fact]
    public void ALoopRunAfterAnotherClosed_ReusesItsBlocks()
    {
        var first = TestLoop.NewVirtual();
        first.RunUntilComplete(BurstAndYield(first));
        var second = TestLoop.NewVirtual();
        long allocated;
        // No collection in between: the stash is held weakly, and the point is what the next loop finds there.
        Assert.True(GC.TryStartNoGCRegion(32_000_000), "could not start a no-GC region");
        try
        {
            first.Close();
            long before = GC.GetAllocatedBytesForCurrentThread();
            ScheduleBurst(second);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        finally
        {
            if (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
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

    private static async Coroutine YieldOnce() => await Aio.Sleep(0);

    /// <summary>Queues a burst and yields behind it: the burst has run, its blocks are drained.</summary>
    private static async Coroutine BurstAndYield(EventLoop loop)
    {
        ScheduleBurst(loop);
        await Aio.Sleep(0);
    }
}
