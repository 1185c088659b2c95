using System.Diagnostics;
using System.Threading.Channels;
using Asyncio;

namespace Asyncio.Bench;

/// <summary>
/// Queues and primitives: W2 ping-pong (two tasks, two queues of size 1), W7 fan-out (tasks through a
/// semaphore of 100, one yield inside), LIMITER (AsyncLimiter accuracy on the real clock). Each runs a
/// warm-up pass at a tenth of the size first, as the reference scripts do; W2 and W7 then time
/// <see cref="Probe.TimedPasses"/> passes at full size and report the median one, on every .NET runtime alike (one
/// pass lasts 30-60 ms, and single passes swung by half on this shared machine).
/// </summary>
public static class SyncWorkloads
{
    private static double Seconds(long ticks) => ticks / (double)Stopwatch.Frequency;

    /// <summary>Runs <paramref name="pass"/> (which returns its own seconds) <see cref="Probe.TimedPasses"/> times; the median.</summary>
    private static double MedianPass(Func<double> pass)
    {
        var passes = new double[Probe.TimedPasses];
        for (int i = 0; i < passes.Length; i++) passes[i] = pass();
        return Probe.Median(passes, p => p);
    }

    // ------------------------------------------------------------ W2 ping-pong

    [Workload("W2", Runtimes.Aio)]
    public static Measurement W2Aio(BenchArgs a)
    {
        int m = a.Int("m", 200_000);
        Probe.WarmUp(() => Aio.Run(W2AioOnce(Math.Max(1, m / 10))));
        double dt = MedianPass(() => Aio.Run(W2AioOnce(m)));
        return new Measurement(m / dt, "round-trips/s", new Dictionary<string, object> { ["m"] = m, ["wall_s"] = dt });
    }

    private static async Coroutine<double> W2AioOnce(int m)
    {
        var q1 = new AsyncQueue<int>(1);
        var q2 = new AsyncQueue<int>(1);
        async Coroutine Ping()
        {
            for (int i = 0; i < m; i++)
            {
                await q1.PutAsync(i);
                await q2.GetAsync();
            }
        }
        async Coroutine Pong()
        {
            for (int i = 0; i < m; i++)
            {
                int x = await q1.GetAsync();
                await q2.PutAsync(x);
            }
        }
        long t0 = Stopwatch.GetTimestamp();
        var ping = Aio.CreateTask(Ping());
        var pong = Aio.CreateTask(Pong());
        await ping;
        await pong;
        return Seconds(Stopwatch.GetTimestamp() - t0);
    }

    [Workload("W2", Runtimes.ThreadPool)]
    public static Measurement W2ThreadPool(BenchArgs a) => W2Plain(a, singleThread: false);

    [Workload("W2", Runtimes.SingleThread)]
    public static Measurement W2SingleThread(BenchArgs a) => W2Plain(a, singleThread: true);

    private static Measurement W2Plain(BenchArgs a, bool singleThread)
    {
        int m = a.Int("m", 200_000);
        double dt = 0;
        async Task Body()
        {
            var warm = Probe.StartWarmUp();
            do await W2ChannelsOnce(Math.Max(1, m / 10)); while (warm.Again());
            var passes = new double[Probe.TimedPasses];
            for (int i = 0; i < passes.Length; i++) passes[i] = await W2ChannelsOnce(m);
            dt = Probe.Median(passes, p => p);
        }
        if (singleThread) OneThreadContext.Run(Body);
        else Body().GetAwaiter().GetResult();
        return new Measurement(m / dt, "round-trips/s", new Dictionary<string, object> { ["m"] = m, ["wall_s"] = dt });
    }

    private static async Task<double> W2ChannelsOnce(int m)
    {
        var c1 = Channel.CreateBounded<int>(1);
        var c2 = Channel.CreateBounded<int>(1);
        async Task Ping()
        {
            for (int i = 0; i < m; i++)
            {
                await c1.Writer.WriteAsync(i);
                await c2.Reader.ReadAsync();
            }
        }
        async Task Pong()
        {
            for (int i = 0; i < m; i++)
            {
                int x = await c1.Reader.ReadAsync();
                await c2.Writer.WriteAsync(x);
            }
        }
        long t0 = Stopwatch.GetTimestamp();
        await Task.WhenAll(Ping(), Pong());
        return Seconds(Stopwatch.GetTimestamp() - t0);
    }

    // ------------------------------------------------------------ W7 semaphore fan-out

    [Workload("W7", Runtimes.Aio)]
    public static Measurement W7Aio(BenchArgs a)
    {
        int n = a.Int("n", 100_000), limit = a.Int("limit", 100);
        Probe.WarmUp(() => Aio.Run(W7AioOnce(Math.Max(1, n / 10), limit)));
        double dt = MedianPass(() => Aio.Run(W7AioOnce(n, limit)));
        return new Measurement(n / dt, "tasks/s", new Dictionary<string, object> { ["n"] = n, ["limit"] = limit, ["wall_s"] = dt });
    }

    private static async Coroutine<double> W7AioOnce(int n, int limit)
    {
        var sem = new AsyncSemaphore(limit);
        async Coroutine<int> Worker(int i)
        {
            using (await sem.AcquireAsync())
            {
                await Aio.Sleep(0);
            }
            return i;
        }
        long t0 = Stopwatch.GetTimestamp();
        var tasks = new AioTask<int>[n];
        for (int i = 0; i < n; i++) tasks[i] = Aio.CreateTask(Worker(i));
        long sum = 0;
        foreach (var t in tasks) sum += await t;
        double dt = Seconds(Stopwatch.GetTimestamp() - t0);
        if (sum != (long)n * (n - 1) / 2) throw new InvalidOperationException("W7 lost a result");
        return dt;
    }

    [Workload("W7", Runtimes.ThreadPool)]
    public static Measurement W7ThreadPool(BenchArgs a) => W7Plain(a, singleThread: false);

    [Workload("W7", Runtimes.SingleThread)]
    public static Measurement W7SingleThread(BenchArgs a) => W7Plain(a, singleThread: true);

    private static Measurement W7Plain(BenchArgs a, bool singleThread)
    {
        int n = a.Int("n", 100_000), limit = a.Int("limit", 100);
        double dt = 0;
        async Task Body()
        {
            var warm = Probe.StartWarmUp();
            do await W7SemaphoreSlimOnce(Math.Max(1, n / 10), limit); while (warm.Again());
            var passes = new double[Probe.TimedPasses];
            for (int i = 0; i < passes.Length; i++) passes[i] = await W7SemaphoreSlimOnce(n, limit);
            dt = Probe.Median(passes, p => p);
        }
        if (singleThread) OneThreadContext.Run(Body);
        else Body().GetAwaiter().GetResult();
        return new Measurement(n / dt, "tasks/s", new Dictionary<string, object> { ["n"] = n, ["limit"] = limit, ["wall_s"] = dt });
    }

    private static async Task<double> W7SemaphoreSlimOnce(int n, int limit)
    {
        using var sem = new SemaphoreSlim(limit);
        async Task<int> Worker(int i)
        {
            await sem.WaitAsync();
            try
            {
                await Task.Yield();
            }
            finally
            {
                sem.Release();
            }
            return i;
        }
        long t0 = Stopwatch.GetTimestamp();
        var tasks = new Task<int>[n];
        for (int i = 0; i < n; i++) tasks[i] = Worker(i);
        await Task.WhenAll(tasks);
        return Seconds(Stopwatch.GetTimestamp() - t0);
    }

    // ------------------------------------------------------------ LIMITER accuracy

    /// <summary>
    /// <c>n</c> acquisitions at <c>rate</c> per second on the real clock, after the burst of <c>rate</c> is
    /// spent (the bucket starts full), so the ideal time is n / rate seconds.
    /// </summary>
    [Workload("LIMITER", Runtimes.Aio)]
    public static Measurement LimiterAio(BenchArgs a)
    {
        int n = a.Int("n", 10_000);
        double rate = a.Double("rate", 1_000);
        double dt = Aio.Run(LimiterOnce(n, rate));
        double ideal = n / rate;
        return new Measurement(dt, "s", new Dictionary<string, object>
        {
            ["n"] = n, ["rate"] = rate, ["ideal_s"] = ideal, ["error_pct"] = (dt - ideal) / ideal * 100, ["achieved_per_s"] = n / dt,
        });
    }

    private static async Coroutine<double> LimiterOnce(int n, double rate)
    {
        var limiter = new AsyncLimiter(rate, 1.0);
        await limiter.AcquireAsync(rate);
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++) await limiter.AcquireAsync();
        return Seconds(Stopwatch.GetTimestamp() - t0);
    }

    /// <summary>A one-thread SynchronizationContext pumping every continuation (the "st" runtime).</summary>
    private sealed class OneThreadContext : SynchronizationContext
    {
        private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();
        private bool _done;

        public override void Post(SendOrPostCallback d, object? state)
        {
            lock (_queue)
            {
                _queue.Enqueue((d, state));
                Monitor.Pulse(_queue);
            }
        }

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

        public override SynchronizationContext CreateCopy() => this;

        public static void Run(Func<Task> body)
        {
            SynchronizationContext? previous = Current;
            var context = new OneThreadContext();
            SetSynchronizationContext(context);
            try
            {
                Task task = body();
                task.ContinueWith(_ => context.Complete(), TaskScheduler.Default);
                context.Pump();
                task.GetAwaiter().GetResult();
            }
            finally
            {
                SetSynchronizationContext(previous);
            }
        }

        private void Complete()
        {
            lock (_queue)
            {
                _done = true;
                Monitor.Pulse(_queue);
            }
        }

        private void Pump()
        {
            while (true)
            {
                (SendOrPostCallback Callback, object? State) item;
                lock (_queue)
                {
                    while (_queue.Count == 0)
                    {
                        if (_done) return;
                        Monitor.Wait(_queue);
                    }
                    item = _queue.Dequeue();
                }
                item.Callback(item.State);
            }
        }
    }
}
