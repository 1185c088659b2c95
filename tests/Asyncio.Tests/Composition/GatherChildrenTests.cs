using System.Runtime.CompilerServices;

namespace Asyncio.Tests.Composition;

/// <summary>
/// How a gather holds its children: in blocks (more children than one block holds keep their order), counting the
/// successes before the last one as they happen without changing when the gather is done, and letting go of them
/// once it is done.
/// </summary>
public class GatherChildrenTests
{
    private static async Coroutine<int> Echo(int value)
    {
        await Aio.Sleep(0);
        return value;
    }

    [Fact]
    public void Gather_OfMoreChildrenThanABlockHolds_ReturnsEveryResultInArgumentOrder()
    {
        var loop = TestLoop.NewVirtual();
        var tasks = new AioTask<int>[3_000];
        for (int i = 0; i < tasks.Length; i++) tasks[i] = loop.CreateTask(Echo(i));

        int[] results = loop.RunUntilComplete(Aio.Gather(tasks));

        Assert.Equal(Enumerable.Range(0, 3_000), results);
        loop.Close();
    }

    [Fact]
    public void Gather_CancelledWithMoreChildrenThanABlockHolds_CancelsEveryChild()
    {
        var loop = TestLoop.NewVirtual();
        var tasks = new AioTask<int>[3_000];
        for (int i = 0; i < tasks.Length; i++) tasks[i] = loop.CreateTask(Echo(i));
        Future<int[]> gather = Aio.Gather(tasks);

        Assert.True(gather.Cancel());
        loop.RunUntilComplete(Aio.Wait(tasks));

        Assert.All(tasks, task => Assert.True(task.IsCancelled));
        loop.Close();
    }

    [Fact]
    public void Gather_ArrayChangedAfterTheCall_KeepsTheChildrenItWasGiven()
    {
        var loop = TestLoop.NewVirtual();
        AioTask<int>[] tasks = [loop.CreateTask(Echo(1)), loop.CreateTask(Echo(2))];
        Future<int[]> gather = Aio.Gather(tasks);

        tasks[0] = loop.CreateTask(Echo(3));

        Assert.Equal(new[] { 1, 2 }, loop.RunUntilComplete(gather));
        loop.Close();
    }

    [Fact]
    public void Gather_OfAListOfTasks_ReturnsTheirResultsInOrder()
    {
        var loop = TestLoop.NewVirtual();
        var tasks = new List<AioTask<int>> { loop.CreateTask(Echo(1)), loop.CreateTask(Echo(2)) };

        Assert.Equal(new[] { 1, 2 }, loop.RunUntilComplete(Aio.Gather(tasks)));
        loop.Close();
    }

    [Fact]
    public void Gather_OfATaskArrayHoldingANull_ThrowsArgumentNullException()
    {
        var loop = TestLoop.NewVirtual();
        AioTask<int>[] tasks = [loop.CreateTask(Echo(1)), null!];

        Assert.Throws<ArgumentNullException>(() => Aio.Gather(tasks));
        Assert.Throws<ArgumentNullException>(() => Aio.Gather(tasks.ToList()));
        loop.RunUntilComplete(tasks[0]);
        loop.Close();
    }

    [Fact]
    public void Gather_OfACoroutineGivenAgainAfterOthers_RunsItOnceAndFillsEverySlot()
    {
        var loop = TestLoop.NewVirtual();
        int runs = 0;
        async Coroutine<int> Counted(int value)
        {
            runs++;
            await Aio.Sleep(0);
            return value;
        }
        async Coroutine<int[]> Main()
        {
            Coroutine<int> repeated = Counted(7);
            return await Aio.Gather([.. Enumerable.Range(0, 2_000).Select(Echo), repeated, Counted(8), repeated]);
        }

        int[] results = loop.RunUntilComplete(Main());

        Assert.Equal(Enumerable.Range(0, 2_000).Concat([7, 8, 7]), results);
        Assert.Equal(2, runs);
        loop.Close();
    }

    [Fact]
    public void Gather_OfACoroutineAlreadyScheduledAsATask_Throws()
    {
        var loop = TestLoop.NewVirtual();
        async Coroutine Main()
        {
            Coroutine<int> scheduled = Echo(1);
            AioTask<int> task = Aio.CreateTask(scheduled);
            Assert.Throws<InvalidOperationException>(() => Aio.Gather(Echo(0), scheduled));
            await task;
        }

        loop.RunUntilComplete(Main());
        loop.Close();
    }

    [Fact]
    public void Gather_OfTheSameDotnetTaskTwice_WrapsItOnce()
    {
        var loop = TestLoop.NewVirtual();
        var source = new TaskCompletionSource<int>();
        Task<int> dotnet = source.Task;
        Aio.SetEventLoop(loop);
        try
        {
            Future<int[]> gather = Aio.Gather<int>(dotnet, Echo(2), dotnet);
            source.SetResult(5);

            Assert.Equal(new[] { 5, 2, 5 }, loop.RunUntilComplete(gather));
        }
        finally
        {
            Aio.SetEventLoop(null);
            loop.Close();
        }
    }

    [Fact] // asyncio: the gather's done callbacks run in the iteration after the children's completions
    public void Gather_ChildrenDoneAtOnce_IsDoneAfterOneIterationNotBefore()
    {
        var loop = TestLoop.NewVirtual();
        Future<int> a = loop.CreateFuture<int>(), b = loop.CreateFuture<int>(), c = loop.CreateFuture<int>();
        Future<int[]> gather = Aio.Gather(a, b, c);

        a.SetResult(1);
        b.SetResult(2);
        c.SetResult(3);
        Assert.False(gather.IsDone);
        loop.RunOnce();

        Assert.True(gather.IsDone);
        Assert.Equal(new[] { 1, 2, 3 }, gather.Result());
        loop.Close();
    }

    [Fact]
    public void Gather_ChildFailingAfterOthersSucceeded_FailsTheGatherInTheNextIteration()
    {
        var loop = TestLoop.NewVirtual();
        Future<int> a = loop.CreateFuture<int>(), b = loop.CreateFuture<int>(), c = loop.CreateFuture<int>();
        Future<int[]> gather = Aio.Gather(a, b, c);
        var error = new InvalidOperationException("b failed");

        a.SetResult(1);
        b.SetException(error);
        Assert.False(gather.IsDone);
        loop.RunOnce();

        Assert.Same(error, gather.Exception());
        Assert.False(c.IsDone);
        loop.Close();
    }

    [Fact] // asyncio: done when the last child's callback runs, even if an earlier child's callback runs after it completes
    public void GatherResults_LastChildCompletingWhileAFailureWaitsToBeHandled_IsDoneOnlyInTheNextIteration()
    {
        var loop = TestLoop.NewVirtual();
        Future<int> a = loop.CreateFuture<int>(), b = loop.CreateFuture<int>(), c = loop.CreateFuture<int>();
        Future<Outcome<int>[]> gather = Aio.GatherResults(a, b, c);
        loop.CallSoon(() => c.SetResult(3));   // runs before a's callback below

        a.SetException(new InvalidOperationException("a failed"));
        b.SetResult(2);
        loop.RunOnce();

        Assert.False(gather.IsDone);
        loop.RunOnce();
        Assert.True(gather.IsDone);
        loop.Close();
    }

    [Fact]
    public void Gather_OnceDone_NoLongerKeepsItsChildrenAlive()
    {
        var loop = TestLoop.NewVirtual();
        (Future<int[]> gather, WeakReference child) = GatherOfTasks(loop);
        loop.RunUntilComplete(gather);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(child.IsAlive);
        Assert.Equal(99, gather.Result()[99]);
        loop.Close();
    }

    /// <summary>A gather of 100 tasks, and a weak reference to one of them (made here so no local of the test keeps it).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (Future<int[]> Gather, WeakReference Child) GatherOfTasks(EventLoop loop)
    {
        var tasks = new AioTask<int>[100];
        for (int i = 0; i < tasks.Length; i++) tasks[i] = loop.CreateTask(Echo(i));
        return (Aio.Gather(tasks), new WeakReference(tasks[50]));
    }
}
