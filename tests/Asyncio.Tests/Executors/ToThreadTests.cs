namespace Asyncio.Tests.Executors;

/// <summary>asyncio.to_thread (B141).</summary>
public class ToThreadTests
{
    private static readonly AsyncLocal<string> s_var = new();

    // B141
    [Fact]
    public void ToThread_ReturnsTheResultComputedInAWorkerThread()
    {
        static async Coroutine<bool> Main()
        {
            int loopThread = Environment.CurrentManagedThreadId;
            int worker = await Aio.ToThread(() => Environment.CurrentManagedThreadId);
            return worker != loopThread;
        }

        Assert.True(TestLoop.RunVirtual(Main));
    }

    // B141
    [Fact]
    public void ToThread_CarriesTheCallersAsyncLocals()
    {
        static async Coroutine<string?> Main()
        {
            s_var.Value = "main";
            return await Aio.ToThread(() => s_var.Value);
        }

        Assert.Equal("main", TestLoop.RunVirtual(Main));
    }

    // B141
    [Fact]
    public void RunInExecutor_DoesNotCarryTheCallersAsyncLocals()
    {
        static async Coroutine<string?> Main()
        {
            s_var.Value = "main";
            return await Aio.GetRunningLoop().RunInExecutor(null, () => s_var.Value);
        }

        Assert.Null(TestLoop.RunVirtual(Main));
    }

    // B141 (copy_context: the worker's changes stay in the worker)
    [Fact]
    public void ToThread_ChangesMadeInTheWorker_DoNotFlowBack()
    {
        static async Coroutine<string?> Main()
        {
            s_var.Value = "main";
            await Aio.ToThread(() => { s_var.Value = "worker"; });
            return s_var.Value;
        }

        Assert.Equal("main", TestLoop.RunVirtual(Main));
    }

    // B141
    [Fact]
    public void ToThread_ReraisesTheFunctionsException()
    {
        static async Coroutine<Type> Main()
        {
            try
            {
                await Aio.ToThread<int>(() => throw new DivideByZeroException());
                return typeof(void);
            }
            catch (Exception e)
            {
                return e.GetType();
            }
        }

        Assert.Equal(typeof(DivideByZeroException), TestLoop.RunVirtual(Main));
    }

    // B141 (to_thread is a coroutine function: nothing runs before it is awaited)
    [Fact]
    public void ToThread_IsLazy_NothingRunsUntilAwaited()
    {
        int ran = 0;

        async Coroutine<int> Main()
        {
            Coroutine<int> pending = Aio.ToThread(() => ran = 1);
            await Aio.Sleep(0.1);
            int before = Volatile.Read(ref ran);
            await pending;
            return before;
        }

        Assert.Equal(0, TestLoop.RunVirtual(Main));
        Assert.Equal(1, ran);
    }

    // B141 (test_to_thread_concurrent)
    [Fact]
    public void ToThread_ManyCallsGathered_AllComplete()
    {
        static async Coroutine<int> Main()
        {
            var tasks = Enumerable.Range(0, 50).Select(i => Aio.CreateTask(Aio.ToThread(() => i))).ToList();
            int sum = 0;
            foreach (AioTask<int> t in tasks) sum += await t;
            return sum;
        }

        Assert.Equal(Enumerable.Range(0, 50).Sum(), TestLoop.RunVirtual(Main));
    }

    [Fact]
    public void ToThread_LooksForTheRunningLoopOnlyWhenItRuns()
    {
        var loop = TestLoop.NewVirtual();
        Coroutine<int> call = Aio.ToThread(() => 1);
        // The check happens when the coroutine runs, as asyncio's get_running_loop() inside to_thread.
        Assert.Throws<InvalidOperationException>(() => Aio.GetRunningLoop());
        Assert.Equal(1, loop.RunUntilComplete(call));
        loop.Close();
    }
}
