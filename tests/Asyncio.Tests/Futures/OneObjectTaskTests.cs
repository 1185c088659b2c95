namespace Asyncio.Tests.Futures;

/// <summary>
/// A task and its root coroutine are one object: creating a task from a coroutine allocates no task of its own,
/// the task's coroutine is the coroutine it was made from, and the struct that stands for a coroutine has no
/// null (its default is refused with a clear error).
/// </summary>
public class OneObjectTaskTests
{
    private static async Coroutine<int> Yield(int i)
    {
        await Aio.Sleep(0);
        return i;
    }

    [Fact]
    public void CreateTask_AllocatesNothingBeyondTheCoroutineCall()
    {
        var loop = TestLoop.NewVirtual();
        const int tasks = 1000;

        async Coroutine<long> Main()
        {
            // Made first, so that only CreateTask is measured (the ready queue and the task list grow in blocks
            // of 1,024, made here by a first round).
            var warm = new AioTask<int>[tasks];
            for (int i = 0; i < tasks; i++) warm[i] = Aio.CreateTask(Yield(i));
            foreach (var t in warm) await t;

            var coroutines = new Coroutine<int>[tasks];
            for (int i = 0; i < tasks; i++) coroutines[i] = Yield(i);
            var created = new AioTask<int>[tasks];
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < tasks; i++) created[i] = Aio.CreateTask(coroutines[i]);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            foreach (var t in created) await t;
            return allocated;
        }

        long bytes = loop.RunUntilComplete(Main());
        Assert.True(bytes < tasks, $"{bytes} bytes allocated by {tasks} CreateTask calls");
        loop.Close();
    }

    [Fact]
    public void TaskCoroutine_IsTheCoroutineTheTaskWasMadeFrom()
    {
        var loop = TestLoop.NewVirtual();
        Coroutine<int> coroutine = Yield(7);
        Coroutine asUntyped = coroutine;

        async Coroutine<bool> Main()
        {
            AioTask<int> task = Aio.CreateTask(coroutine);
            bool same = task.Coroutine == asUntyped;
            Assert.Equal(7, await task);
            return same;
        }

        Assert.True(loop.RunUntilComplete(Main()));
        loop.Close();
    }

    [Fact]
    public void DefaultCoroutine_IsRefusedByCreateTask_WithArgumentException()
    {
        var loop = TestLoop.NewVirtual();
        var error = Assert.Throws<ArgumentException>(() => loop.CreateTask(default(Coroutine<int>)));
        Assert.Contains("default(Coroutine<T>)", error.Message);
        loop.Close();
    }

    [Fact]
    public void DefaultCoroutine_IsRefusedWhenAwaited_WithArgumentException()
    {
        var loop = TestLoop.NewVirtual();

        async Coroutine Main()
        {
            Coroutine nothing = default;
            await nothing;
        }

        Assert.Throws<ArgumentException>(() => loop.RunUntilComplete(Main()));
        loop.Close();
    }

    [Fact]
    public void ACoroutineAwaitedInline_CannotThenBecomeATask()
    {
        var loop = TestLoop.NewVirtual();

        async Coroutine<string> Main()
        {
            Coroutine<int> coroutine = Yield(1);
            Assert.Equal(1, await coroutine);
            return Assert.Throws<InvalidOperationException>(() => Aio.CreateTask(coroutine)).Message;
        }

        Assert.Equal("cannot reuse already awaited coroutine", loop.RunUntilComplete(Main()));
        loop.Close();
    }

    [Fact]
    public void UntypedAndTypedViews_OfOneCoroutine_AreEqual()
    {
        Coroutine<int> coroutine = Yield(1);
        Coroutine untyped = coroutine;
        Assert.True(untyped == (Coroutine)coroutine);
        Assert.Equal(coroutine, coroutine);
        Assert.NotEqual(coroutine, Yield(1));
        Assert.Equal("Yield", untyped.Name);
    }
}
