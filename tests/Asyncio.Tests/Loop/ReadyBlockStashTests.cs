namespace Asyncio.Tests.Loop;

/// <summary>
/// The process-wide stash of drained ready-queue blocks is shared by loops on different threads: no block is ever
/// handed to two loops at once, so no callback is lost or run twice while loops burst, drain and close side by side.
/// </summary>
public class ReadyBlockStashTests
{
    [Fact]
    public void LoopsOnFourThreads_BurstingAndClosingTogether_RunEveryCallbackOnce()
    {
        const int threads = 4, runs = 6, burst = 40_000;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();

        void Worker(int seed)
        {
            var random = new Random(seed);
            for (int run = 0; run < runs; run++)
            {
                int size = burst / 2 + random.Next(burst);
                var seen = new int[size];
                var loop = Aio.NewEventLoop();
                try
                {
                    loop.RunUntilComplete(Burst(loop, seen));
                }
                finally
                {
                    loop.Close();
                }
                int wrong = Array.FindIndex(seen, count => count != 1);
                if (wrong >= 0) failures.Enqueue($"thread {seed}, run {run}: callback {wrong} ran {seen[wrong]} times");
            }
        }

        var workers = Enumerable.Range(0, threads).Select(seed => new Thread(() => Worker(seed))).ToList();
        workers.ForEach(thread => thread.Start());
        workers.ForEach(thread => Assert.True(thread.Join(TimeSpan.FromMinutes(2)), "a loop thread did not finish"));

        Assert.Empty(failures);
    }

    /// <summary>Two bursts, each drained before the next: the second takes blocks from the stash.</summary>
    private static async Coroutine Burst(EventLoop loop, int[] seen)
    {
        for (int pass = 0; pass < 2; pass++)
        {
            int half = seen.Length / 2;
            int from = pass * half, to = pass == 0 ? half : seen.Length;
            for (int i = from; i < to; i++) loop.CallSoon(static (Counter counter) => counter.Hit(), new Counter(seen, i));
            await Aio.Sleep(0);
        }
    }

    /// <summary>A callback's index into the counts.</summary>
    private sealed class Counter(int[] seen, int index)
    {
        public void Hit() => seen[index]++;
    }
}
