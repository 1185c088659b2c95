namespace Asyncio.Tests.Queues;

/// <summary>
/// In debug mode, queues and primitives bound to a loop throw when another thread changes them while the loop
/// runs (asyncio's <c>_check_thread</c>), and are left as they were.
/// </summary>
public class QueueThreadCheckTests
{
    /// <summary>Runs <paramref name="action"/> on a new thread and returns what it threw.</summary>
    private static Exception? OnAnotherThread(Action action)
    {
        Exception? error = null;
        var thread = new Thread(() => error = Record.Exception(action));
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(20)));
        return error;
    }

    [Fact]
    public void PutNowait_FromAnotherThread_InDebugMode_Throws()
    {
        var loop = TestLoop.NewVirtual();
        loop.Debug = true;
        var queue = new AsyncQueue<int>();
        Exception? error = null;

        async Coroutine<int> Main()
        {
            AioTask<int> getter = Aio.CreateTask(Get());
            await Aio.Sleep(0); // the getter waits: the queue is bound to the loop
            error = OnAnotherThread(() => queue.PutNowait(1));
            Assert.Equal(0, queue.Count);
            queue.PutNowait(2);
            return await getter;
        }

        async Coroutine<int> Get() => await queue.GetAsync();

        Assert.Equal(2, loop.RunUntilComplete(Main()));
        loop.Close();
        var refused = Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("AsyncQueue is not thread-safe", refused.Message);
        Assert.Contains("CallSoonThreadsafe", refused.Message);
    }

    [Fact]
    public void EventSet_FromAnotherThread_InDebugMode_Throws()
    {
        var loop = TestLoop.NewVirtual();
        loop.Debug = true;
        var ready = new AsyncEvent();
        Exception? error = null;

        async Coroutine<bool> Main()
        {
            AioTask<bool> waiter = Aio.CreateTask(Wait());
            await Aio.Sleep(0);
            error = OnAnotherThread(ready.Set);
            Assert.False(ready.IsSet);
            ready.Set();
            return await waiter;
        }

        async Coroutine<bool> Wait() => await ready.WaitAsync();

        Assert.True(loop.RunUntilComplete(Main()));
        loop.Close();
        var refused = Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("AsyncEvent is not thread-safe", refused.Message);
    }

    [Fact]
    public void LockRelease_FromAnotherThread_InDebugMode_Throws()
    {
        var loop = TestLoop.NewVirtual();
        loop.Debug = true;
        var gate = new AsyncLock();
        Exception? error = null;

        async Coroutine Main()
        {
            using (await gate.AcquireAsync())
            {
                AioTask contender = Aio.CreateTask(Contend());
                await Aio.Sleep(0); // the contender waits: the lock is bound to the loop
                error = OnAnotherThread(gate.Release);
                Assert.True(gate.IsLocked);
                contender.Cancel();
            }
        }

        async Coroutine Contend()
        {
            using (await gate.AcquireAsync()) { }
        }

        loop.RunUntilComplete(Main());
        loop.Close();
        Assert.IsType<InvalidOperationException>(error);
    }
}
