using System.Threading.Tasks;

namespace Asyncio.Tests.Contract;

/// <summary>
/// The canonical forms of shared/API.md, written exactly as there: each must compile and behave as asyncio does.
/// Time runs on a virtual clock, so the sleeps cost nothing.
/// </summary>
public sealed class CanonicalFormsTests
{
    private static async Coroutine<int> Delay(double seconds)   // lazy: nothing runs until awaited or wrapped in a task
    {
        await Aio.Sleep(seconds);
        return (int)seconds;
    }

    private static int Compute() => 7;

    [Fact]
    public void AioRun_ReturnsTheResult()
    {
        int r = Aio.Run(Delay(1), virtualTime: true);
        Assert.Equal(1, r);
    }

    [Fact]
    public void LoopForms_RunUntilCompleteCallSoonAndExceptionHandler()
    {
        var loop = Aio.NewEventLoop(virtualTime: true);
        var seen = new List<string>();
        loop.SetExceptionHandler((l, context) => seen.Add(context.Message));
        Handle h = loop.CallSoon(() => seen.Add("soon"));
        TimerHandle later = loop.CallLater(0.5, () => seen.Add("later"));
        loop.CallAt(loop.Time() + 0.25, () => throw new InvalidOperationException("boom"));
        Assert.Equal(1, loop.RunUntilComplete(Delay(1)));
        Assert.False(h.IsCancelled);
        Assert.False(later.IsCancelled);
        Assert.Equal("soon", seen[0]);
        Assert.StartsWith("Exception in callback", seen[1]);
        Assert.Equal("later", seen[2]);
        Assert.False(loop.IsRunning);
        loop.Close();
        Assert.True(loop.IsClosed);
    }

    [Fact]
    public void GetRunningLoop_ThrowsOutsideARunningLoop()
    {
        Assert.Throws<InvalidOperationException>(() => Aio.GetRunningLoop());
    }

    [Fact]
    public void TaskForms_NameCancelCallbacksAndEnsureFuture()
    {
        static async Coroutine<int> Main()
        {
            var t = Aio.CreateTask(Delay(2), name: "d");
            Assert.Equal("d", t.Name);
            int callbacks = 0;
            t.AddDoneCallback(f => callbacks++);
            Assert.Contains(t, Aio.AllTasks());
            Assert.Same(t, Aio.EnsureFuture(t));
            int x = await t;
            await Aio.Sleep(0);
            Assert.Equal(1, callbacks);
            Assert.NotNull(Aio.CurrentTask());
            var u = Aio.CreateTask(Delay(5));
            await Aio.Sleep(0);
            Assert.True(u.Cancel("stop"));
            var error = await Assert.ThrowsAsync<CancelledError>(async () => await u.AsTask().ContinueWith(_ => u.Result(), TaskScheduler.Default));
            Assert.Equal("stop", error.CancelMessage);
            return x;
        }

        Assert.Equal(2, Aio.Run(Main(), virtualTime: true));
    }

    [Fact]
    public void CompositionForms_GatherWaitWaitForShieldTimeoutTaskGroupAsCompleted()
    {
        static async Coroutine<int> A() => await Delay(1);
        static async Coroutine<int> B() => await Delay(2);

        static async Coroutine<int> Main()
        {
            int[] both = await Aio.Gather(Delay(1), Delay(2));                   // results in argument order
            Assert.Equal([1, 2], both);

            var sleeping = Aio.CreateTask(Aio.Sleep(2));                         // the cheat sheet's line
            var t1 = Aio.CreateTask(Delay(1));
            var t2 = Aio.CreateTask(Delay(3));
            var (done, pending) = await Aio.Wait(new[] { t1, t2 }, timeout: 1.5, returnWhen: ReturnWhen.FirstCompleted);
            // Assert.Single would return the task, and a discarded awaitable is warning CS4014 in an async method.
            _ = Assert.Single(done);
            _ = Assert.Single(pending);

            var t = Aio.CreateTask(Delay(2));
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(Aio.Shield(t), 1.0));
            Assert.False(t.IsCancelled);                                         // the shielded task keeps running
            int y = await Aio.WaitFor(Aio.Shield(t), 5.0);
            Assert.Equal(2, y);

            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.Timeout(0.5, async () => { await Aio.Sleep(1); }));

            await TaskGroup.Run(async tg => { _ = tg.CreateTask(A()); _ = tg.CreateTask(B()); });
            await TaskGroup.Run(tg => { tg.CreateTask(A()); tg.CreateTask(B()); });

            var tasks = new[] { Aio.CreateTask(Delay(2)), Aio.CreateTask(Delay(1)) };
            var order = new List<int>();
            await foreach (var next in Aio.AsCompleted(tasks)) order.Add(await next);
            Assert.Equal([1, 2], order);
            return y;
        }

        Assert.Equal(2, Aio.Run(Main(), virtualTime: true));
    }

    [Fact]
    public async Task ThreadForms_ToThreadRunInExecutorAndRunCoroutineThreadsafe()
    {
        static async Coroutine<int> Main()
        {
            int z = await Aio.ToThread(() => Compute());                         // asyncio.to_thread
            using var pool = new ThreadPoolExecutor(maxWorkers: 2);
            var loop = Aio.GetRunningLoop();
            int w = await loop.RunInExecutor(pool, () => Compute());
            int d = await loop.RunInExecutor(null, () => Compute());             // the default executor
            return z + w + d;
        }

        Assert.Equal(21, Aio.Run(Main()));

        var loop = Aio.NewEventLoop();
        var thread = new Thread(() => loop.RunForever());
        thread.Start();
        try
        {
            Task<int> st = Aio.RunCoroutineThreadsafe(Delay(0.01), loop);      // from another thread
            Assert.Equal(0, await st.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            loop.CallSoonThreadsafe(loop.Stop);
            thread.Join(TimeSpan.FromSeconds(30));
            loop.Close();
        }
    }

    [Fact]
    public void PrimitiveForms_QueueLockPriorityEventConditionBarrierSemaphoreLimiter()
    {
        static async Coroutine<int> Main()
        {
            var q = new AsyncQueue<int>(maxSize: 2);
            await q.PutAsync(1);
            q.PutNowait(2);
            Assert.True(q.IsFull);
            Assert.Equal(2, q.MaxSize);
            Assert.Equal(1, await q.GetAsync());
            q.TaskDone();
            Assert.Equal(2, q.GetNowait());
            q.TaskDone();
            await q.JoinAsync();
            Assert.True(q.IsEmpty);
            Assert.Equal(0, q.Count);

            var lk = new AsyncLock();
            using (await lk.AcquireAsync()) { Assert.True(lk.IsLocked); }
            Assert.False(lk.IsLocked);

            var pq = new AsyncPriorityQueue<int>();
            pq.PutNowait(3);
            pq.PutNowait(1);
            Assert.Equal(1, pq.GetNowait());                                     // smallest first
            var lifo = new AsyncLifoQueue<int>();
            lifo.PutNowait(1);
            lifo.PutNowait(2);
            Assert.Equal(2, lifo.GetNowait());                                   // last in, first out

            var ev = new AsyncEvent();
            var waiter = Aio.CreateTask(ev.WaitAsync());                        // an operation, wherever a coroutine is
            ev.Set();
            Assert.True(ev.IsSet);
            await waiter;
            ev.Clear();

            var cv = new AsyncCondition();
            bool ready = false;
            var consumer = Aio.CreateTask(WaitReady(cv, () => ready));
            await Aio.Sleep(0);
            using (await cv.AcquireAsync())
            {
                ready = true;
                cv.NotifyAll();
            }
            await consumer;

            var br = new AsyncBarrier(2);
            var other = Aio.CreateTask(BarrierWait(br));
            int index = await br.WaitAsync();
            Assert.Equal(1, index + await other);                                // indexes 0 and 1
            Assert.Equal(2, br.Parties);

            var sem = new AsyncSemaphore(3);
            using (await sem.AcquireAsync()) { Assert.False(sem.IsLocked); }

            var lim = new AsyncLimiter(maxRate: 10, timePeriod: 1.0);
            using (await lim.AcquireAsync()) { }
            return 0;
        }

        static async Coroutine WaitReady(AsyncCondition cv, Func<bool> predicate)
        {
            using (await cv.AcquireAsync()) { await cv.WaitForAsync(predicate); }
        }

        static async Coroutine<int> BarrierWait(AsyncBarrier br) => await br.WaitAsync();

        Assert.Equal(0, Aio.Run(Main(), virtualTime: true));
    }

    [Fact]
    public void LowLevelIoForms_ReadersWritersAndSockRecv()
    {
        if (DefaultSelector.Kind != SelectorKind.Epoll) return;   // Aio.Run's loop watches descriptors only with epoll
        var (a, socket) = Sockets.SocketPairs.Connected();
        using (a)
        using (socket)
        {
            int fd = (int)socket.Handle;
            var seen = new List<string>();
            Assert.Equal(5, Aio.Run(Main()));

            async Coroutine<int> Main()
            {
                var loop = Aio.GetRunningLoop();
                loop.AddReader(fd, () => seen.Add("readable")); loop.RemoveReader(fd); loop.AddWriter(fd, () => seen.Add("writable")); loop.RemoveWriter(fd);
                a.Send("hello"u8);
                var buffer = new byte[16];
                int n = await loop.SockRecvAsync(socket, buffer);
                Assert.Empty(seen);
                return n;
            }
        }
    }

    [Fact]
    public void LowLevelIoForms_CreateServerCreateConnectionProtocolAndTransport()
    {
        if (DefaultSelector.Kind != SelectorKind.Epoll) return;   // Aio.Run's loop watches descriptors only with epoll
        Assert.Equal("ping", Aio.Run(Main()));

        static async Coroutine<string> Main()
        {
            var loop = Aio.GetRunningLoop();
            Server s2 = await loop.CreateServer(() => new EchoProtocol(), "127.0.0.1", 0);   // 0, not 8888: any free port
            int port = ((System.Net.IPEndPoint)s2.Sockets[0].LocalEndPoint!).Port;
            var (transport, protocol) = await loop.CreateConnection(() => new EchoProtocol(), "127.0.0.1", port);
            transport.SetWriteBufferLimits(high: 65536, low: 16384);
            transport.Write("ping"u8);
            while (protocol.Received.Count < 4) await Aio.Sleep(0.001);
            transport.PauseReading(); transport.ResumeReading();
            Assert.Equal(0, transport.GetWriteBufferSize());
            Assert.NotNull(transport.GetExtraInfo("peername"));
            transport.WriteEof(); transport.Close(); transport.Abort();
            Assert.True(transport.IsClosing);
            s2.Close(); s2.CloseClients();
            await s2.WaitClosedAsync();
            return System.Text.Encoding.ASCII.GetString([.. protocol.Received]);
        }
    }

    /// <summary>The protocol of the low-level forms: records what comes back.</summary>
    private sealed class EchoProtocol : Protocol
    {
        private ITransport? _transport;

        public List<byte> Received { get; } = [];

        public override void ConnectionMade(ITransport t) => _transport = t;

        public override void DataReceived(ReadOnlySpan<byte> data)
        {
            Received.AddRange(data.ToArray());
            // Each side echoes only the first message it gets, so that the exchange ends.
            if (_transport is { IsClosing: false } t && Received.Count <= 4) t.Write(data);
        }

        public override bool EofReceived() => false;

        public override void ConnectionLost(Exception? exc) => _transport = null;

        public override void PauseWriting() { }

        public override void ResumeWriting() { }
    }
}
