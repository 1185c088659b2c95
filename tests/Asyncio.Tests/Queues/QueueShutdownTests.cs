namespace Asyncio.Tests.Queues;

/// <summary>asyncio's <c>Queue.shutdown</c> (Python 3.13): B105.</summary>
public class QueueShutdownTests
{
    private static async Coroutine<T> Get<T>(AsyncQueue<T> q) => await q.GetAsync();

    private static async Coroutine Put<T>(AsyncQueue<T> q, T item) => await q.PutAsync(item);

    private static async Coroutine Join<T>(AsyncQueue<T> q) => await q.JoinAsync();

    [Fact] // B105
    public void Shutdown_OnEmptyQueue_GetsAndPutsThrowQueueShutDown()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<string>();
        var getter = loop.CreateTask(Get(q));
        loop.RunOnce();
        q.Shutdown();
        Assert.Throws<QueueShutDown>(() => loop.RunUntilComplete(getter));
        Assert.Throws<QueueShutDown>(() => q.PutNowait("x"));
        Assert.Throws<QueueShutDown>(() => q.GetNowait());
        Assert.Throws<QueueShutDown>(() => loop.RunUntilComplete(Put(q, "y")));
        loop.Close();
    }

    [Fact] // B105
    public void Shutdown_WakesBlockedPutters_ItemsLeftCanStillBeGot()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<string>(1);
        q.PutNowait("data");
        var putter = loop.CreateTask(Put(q, "more"));
        var joiner = loop.CreateTask(Join(q));
        loop.RunOnce();
        q.Shutdown();
        Assert.Throws<QueueShutDown>(() => loop.RunUntilComplete(putter));
        Assert.Equal("data", loop.RunUntilComplete(Get(q)));
        Assert.Throws<QueueShutDown>(() => q.GetNowait());
        loop.RunOnce();
        Assert.False(joiner.IsDone);
        q.TaskDone();
        loop.RunUntilComplete(joiner);
        Assert.EndsWith("shutdown>", q.ToString());
        loop.Close();
    }

    [Fact] // B105
    public void ShutdownImmediate_DropsItemsAndReleasesJoin()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<string>();
        q.PutNowait("a");
        q.PutNowait("b");
        var joiner = loop.CreateTask(Join(q));
        loop.RunOnce();
        q.Shutdown(immediate: true);
        Assert.Equal(0, q.Count);
        loop.RunUntilComplete(joiner);
        var e = Assert.Throws<InvalidOperationException>(() => q.TaskDone());
        Assert.Equal("task_done() called too many times", e.Message);
        Assert.Throws<QueueShutDown>(() => loop.RunUntilComplete(Get(q)));
        loop.Close();
    }

    [Fact] // B105
    public void ShutdownImmediate_JoinStillWaitsForItemsAlreadyGot()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<string>();
        q.PutNowait("a");
        q.PutNowait("b");
        Assert.Equal("a", q.GetNowait());
        var joiner = loop.CreateTask(Join(q));
        loop.RunOnce();
        q.Shutdown(immediate: true);
        loop.RunOnce();
        loop.RunOnce();
        Assert.False(joiner.IsDone);
        q.TaskDone();
        loop.RunUntilComplete(joiner);
        loop.Close();
    }
}
