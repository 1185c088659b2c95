namespace Asyncio.Tests.Queues;

/// <summary>asyncio's queue behaviours B097–B104 (see behaviors.md).</summary>
public class QueueTests
{
    private static async Coroutine<T> Get<T>(AsyncQueue<T> q) => await q.GetAsync();

    private static async Coroutine Put<T>(AsyncQueue<T> q, T item) => await q.PutAsync(item);

    private static async Coroutine Join<T>(AsyncQueue<T> q) => await q.JoinAsync();

    private static List<int> PutAndDrain(AsyncQueue<int> q)
    {
        foreach (int i in new[] { 1, 3, 2 }) q.PutNowait(i);
        var got = new List<int>();
        while (!q.IsEmpty) got.Add(q.GetNowait());
        return got;
    }

    [Fact] // B097
    public void Order_QueueIsFifo() => Assert.Equal(new[] { 1, 3, 2 }, PutAndDrain(new AsyncQueue<int>()));

    [Fact] // B097
    public void Order_LifoQueueIsLastInFirstOut() => Assert.Equal(new[] { 2, 3, 1 }, PutAndDrain(new AsyncLifoQueue<int>()));

    [Fact] // B097
    public void Order_PriorityQueueIsSmallestFirst() => Assert.Equal(new[] { 1, 2, 3 }, PutAndDrain(new AsyncPriorityQueue<int>()));

    [Fact] // B097
    public void Order_PriorityQueueUsesTheComparerGiven()
    {
        var q = new AsyncPriorityQueue<int>(comparer: Comparer<int>.Create((a, b) => b.CompareTo(a)));
        Assert.Equal(new[] { 3, 2, 1 }, PutAndDrain(q));
    }

    [Fact] // B097
    public void Order_PriorityQueueOrdersPriorityDataTuples()
    {
        var q = new AsyncPriorityQueue<(int Priority, string Data)>();
        q.PutNowait((2, "b"));
        q.PutNowait((1, "a"));
        q.PutNowait((3, "c"));
        Assert.Equal("a", q.GetNowait().Data);
        Assert.Equal("b", q.GetNowait().Data);
    }

    [Fact] // B098
    public void MaxSize_PutBlocksWhileFull()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<int>(2);
        var have = new List<int>();
        async Coroutine Producer()
        {
            for (int i = 0; i < 3; i++)
            {
                await q.PutAsync(i);
                have.Add(i);
            }
        }
        var t = loop.CreateTask(Producer());
        loop.RunOnce();
        loop.RunOnce();
        Assert.Equal(new[] { 0, 1 }, have);
        Assert.True(q.IsFull);
        Assert.Equal(0, q.GetNowait());
        loop.RunOnce();
        Assert.Equal(new[] { 0, 1, 2 }, have);
        Assert.True(t.IsDone);
        Assert.Equal(2, q.MaxSize);
        loop.Close();
    }

    [Fact] // B098
    public void MaxSize_ZeroOrNegativeIsUnbounded()
    {
        var q = new AsyncQueue<int>();
        for (int i = 0; i < 1000; i++) q.PutNowait(i);
        Assert.False(q.IsFull);
        Assert.False(new AsyncQueue<int>(-5).IsFull);
        Assert.Equal(1000, q.Count);
    }

    [Fact] // B099
    public void GetNowait_OnEmptyQueueThrowsQueueEmpty() => Assert.Throws<QueueEmpty>(() => new AsyncQueue<int>(1).GetNowait());

    [Fact] // B099
    public void PutNowait_OnFullQueueThrowsQueueFull()
    {
        var q = new AsyncQueue<int>(1);
        q.PutNowait(1);
        Assert.Throws<QueueFull>(() => q.PutNowait(2));
    }

    [Fact] // B100
    public void TaskDone_CalledTooManyTimesThrows()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new AsyncQueue<int>().TaskDone());
        Assert.Equal("task_done() called too many times", e.Message);
    }

    [Fact] // B100
    public void Join_OnQueueWithNothingUnfinishedReturnsAtOnce()
    {
        var q = new AsyncQueue<int>();
        Assert.True(q.JoinAsync().IsCompleted);
        TestLoop.RunVirtual(() => Join(q));
    }

    [Fact] // B100
    public void Join_WaitsForATaskDonePerPutNotForGets()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<int>();
        for (int i = 0; i < 3; i++) q.PutNowait(i);
        var joiner = loop.CreateTask(Join(q));
        for (int i = 0; i < 3; i++) q.GetNowait();
        loop.RunOnce();
        Assert.False(joiner.IsDone);
        q.TaskDone();
        q.TaskDone();
        loop.RunOnce();
        Assert.False(joiner.IsDone);
        q.TaskDone();
        loop.RunOnce();
        loop.RunOnce();
        Assert.True(joiner.IsDone);
        Assert.Throws<InvalidOperationException>(() => q.TaskDone());
        loop.Close();
    }

    [Fact] // B101
    public void WaitingGetters_ReceiveItemsInTheOrderTheyStartedWaiting()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<string>();
        var got = new List<(int, string)>();
        async Coroutine Getter(int id) => got.Add((id, await q.GetAsync()));
        for (int i = 0; i < 3; i++) loop.CreateTask(Getter(i));
        loop.RunOnce();
        q.PutNowait("a");
        q.PutNowait("b");
        q.PutNowait("c");
        loop.RunOnce();
        Assert.Equal(new[] { (0, "a"), (1, "b"), (2, "c") }, got);
        loop.Close();
    }

    [Fact] // B101
    public void BlockedPutters_AreAdmittedInTheOrderTheyBlocked()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<string>(1);
        q.PutNowait("first");
        foreach (string item in new[] { "a", "b", "c" }) loop.CreateTask(Put(q, item));
        loop.RunOnce();
        var got = new List<string>();
        for (int i = 0; i < 4; i++) got.Add(loop.RunUntilComplete(Get(q)));
        Assert.Equal(new[] { "first", "a", "b", "c" }, got);
        loop.Close();
    }

    [Fact] // B102
    public void PutNowait_WakesAGetterWithoutHandingItTheItem()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<string>();
        var getter = loop.CreateTask(Get(q));
        loop.RunOnce();
        q.PutNowait("x");
        string stolen = q.GetNowait();
        loop.RunOnce();
        Assert.Equal("x", stolen);
        Assert.False(getter.IsDone);
        q.PutNowait("y");
        Assert.Equal("y", loop.RunUntilComplete(getter));
        loop.Close();
    }

    [Fact] // B102
    public void PutNowait_ToAGetterInAForeignAsyncMethod_AlsoLetsItWaitAgain()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<string>();
        async Task<string> Foreign() => await q.GetAsync();
        async Coroutine<string> Getter() => await Foreign();
        var getter = loop.CreateTask(Getter());
        loop.RunOnce();
        q.PutNowait("x");
        Assert.Equal("x", q.GetNowait());
        loop.RunOnce();
        Assert.False(getter.IsDone);
        q.PutNowait("y");
        Assert.Equal("y", loop.RunUntilComplete(getter));
        loop.Close();
    }

    [Fact] // B103
    public void CancelledGetter_WokenThenCancelled_LeavesTheItemInTheQueue()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<int>();
        var reader = loop.CreateTask(Get(q));
        loop.RunOnce();
        q.PutNowait(1);
        q.PutNowait(2);
        reader.Cancel();
        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(reader));
        Assert.Equal(1, loop.RunUntilComplete(Get(q)));
        Assert.Equal(1, q.Count);
        loop.Close();
    }

    [Fact] // B103
    public void CancelledGetter_TheNextGetterReceivesTheItem()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<string>();
        var g1 = loop.CreateTask(Get(q));
        var g2 = loop.CreateTask(Get(q));
        loop.RunOnce();
        g1.Cancel();
        loop.RunOnce();
        loop.RunUntilComplete(Put(q, "a"));
        Assert.Equal("a", loop.RunUntilComplete(g2));
        Assert.True(g1.IsCancelled);
        loop.Close();
    }

    [Fact] // B103
    public void CancelledGetter_WokenAndCancelled_PassesTheWakeUpOn()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<string>();
        var g1 = loop.CreateTask(Get(q));
        var g2 = loop.CreateTask(Get(q));
        loop.RunOnce();
        q.PutNowait("a");
        g1.Cancel();
        Assert.Equal("a", loop.RunUntilComplete(g2));
        Assert.True(g1.IsCancelled);
        loop.Close();
    }

    [Fact] // B103
    public void CancelledPutter_DoesNotInsertItsItem()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<int>(1);
        q.PutNowait(1);
        var putter = loop.CreateTask(Put(q, 2));
        loop.RunOnce();
        Assert.Equal(1, q.GetNowait());
        putter.Cancel();
        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(putter));
        loop.RunUntilComplete(Put(q, 2));
        Assert.Equal(1, q.Count);
        Assert.Equal(2, q.GetNowait());
        loop.Close();
    }

    [Fact] // B103
    public void CancelledPutter_WokenAndCancelled_PassesTheRoomOn()
    {
        var loop = TestLoop.NewVirtual();
        var q = new AsyncQueue<int>(1);
        q.PutNowait(1);
        var p1 = loop.CreateTask(Put(q, 2));
        var p2 = loop.CreateTask(Put(q, 3));
        loop.RunOnce();
        Assert.Equal(1, q.GetNowait());
        p1.Cancel();
        loop.RunUntilComplete(p2);
        Assert.Equal(3, q.GetNowait());
        Assert.True(q.IsEmpty);
        loop.Close();
    }

    [Fact] // B104
    public void Queue_UsedToWaitOnASecondLoop_IsBoundToTheFirst()
    {
        var q = new AsyncQueue<int>();
        var first = TestLoop.NewVirtual();
        var t = first.CreateTask(Get(q));
        first.RunOnce();
        q.PutNowait(1);
        Assert.Equal(1, first.RunUntilComplete(t));
        first.Close();
        var second = TestLoop.NewVirtual();
        var e = Assert.Throws<InvalidOperationException>(() => second.RunUntilComplete(Get(q)));
        Assert.EndsWith("is bound to a different event loop", e.Message);
        second.Close();
    }

    [Fact]
    public void PutAndGet_ThatNeedNotWait_DoNotAllocate()
    {
        var q = new AsyncQueue<int>(4);
        static async Coroutine<long> Run(AsyncQueue<int> q)
        {
            await q.PutAsync(0);
            await q.GetAsync();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                await q.PutAsync(i);
                await q.GetAsync();
            }
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(0, TestLoop.RunVirtual(() => Run(q)));
    }

    [Fact]
    public void ToString_ShowsMaxSizeItemsAndWaiters()
    {
        var q = new AsyncQueue<int>(2);
        q.PutNowait(1);
        Assert.Equal("<AsyncQueue maxsize=2 _queue=[1] tasks=1>", q.ToString());
    }
}
