namespace Asyncio.Tests.Loop;

/// <summary>
/// <c>Aio.Run</c> (asyncio.run) and <see cref="AioRunner"/> (asyncio.Runner), behaviours B130-B134. Each
/// test runs on its own thread because a runner installs and uninstalls the thread's loop.
/// </summary>
public class RunnerTests
{
    private static readonly AsyncLocal<int?> s_var = new();

    // B130
    [Fact]
    public void Run_ReturnsTheResultOrThrowsTheExceptionOfMain() => IsolatedThread.Run(() =>
    {
        static async Coroutine<int> Returns123()
        {
            await Aio.Sleep(0);
            return 123;
        }

        static async Coroutine Raises()
        {
            await Aio.Sleep(0);
            throw new KeyNotFoundException("k");
        }

        Assert.Equal(123, Aio.Run(Returns123()));
        Assert.Equal("k", Assert.Throws<KeyNotFoundException>(() => Aio.Run(Raises())).Message);
    });

    // B130
    [Fact]
    public void Run_UsesAFreshLoopEachTimeAndClosesIt() => IsolatedThread.Run(() =>
    {
        static async Coroutine<EventLoop> CurrentLoop()
        {
            await Aio.Sleep(0);
            Assert.Same(Aio.GetRunningLoop(), Aio.GetEventLoop());
            return Aio.GetRunningLoop();
        }

        EventLoop first = Aio.Run(CurrentLoop());
        EventLoop second = Aio.Run(CurrentLoop());
        Assert.NotSame(first, second);
        Assert.True(first.IsClosed);
        Assert.True(second.IsClosed);
    });

    // B130: without AIO_DEBUG=1 (asyncio: -X dev / PYTHONASYNCIODEBUG) debug is off by default.
    [Fact]
    public void Run_Debug_SetsTheLoopsDebugMode() => IsolatedThread.Run(() =>
    {
        static async Coroutine<bool> IsDebug()
        {
            await Aio.Sleep(0);
            return Aio.GetRunningLoop().Debug;
        }

        Assert.True(Aio.Run(IsDebug(), debug: true));
        Assert.False(Aio.Run(IsDebug(), debug: false));
        Assert.Equal(Environment.GetEnvironmentVariable("AIO_DEBUG") == "1", Aio.Run(IsDebug()));
    });

    // B131
    [Fact]
    public void Run_FromARunningLoop_Throws() => IsolatedThread.Run(() =>
    {
        static async Coroutine<int> Nested()
        {
            await Aio.Sleep(0);
            return 1;
        }

        static async Coroutine<string> Main()
        {
            await Aio.Sleep(0);
            return Assert.Throws<InvalidOperationException>(() => Aio.Run(Nested())).Message;
        }

        Assert.Equal("Aio.Run() cannot be called from a running event loop", Aio.Run(Main()));
    });

    // B132
    [Fact]
    public void Run_CancelsAndAwaitsLeftoverTasks_AndReportsTheirErrors() => IsolatedThread.Run(() =>
    {
        var log = new List<string>();
        var reports = new List<ExceptionContext>();
        var tasks = new List<AioTask>();
        int? seenVar = null;

        async Coroutine Leftover()
        {
            try
            {
                await Aio.Sleep(10);
            }
            catch (CancelledError)
            {
                log.Add("leftover cancelled");
                await Aio.Sleep(0); // awaited to the end, not just cancelled
                log.Add("leftover cleaned up");
                throw;
            }
        }

        async Coroutine Errs()
        {
            s_var.Value = 7;
            try
            {
                await Aio.Sleep(10);
            }
            catch (CancelledError)
            {
                throw new DivideByZeroException();
            }
        }

        async Coroutine<string> Main()
        {
            Aio.GetRunningLoop().SetExceptionHandler((_, context) =>
            {
                reports.Add(context);
                seenVar = s_var.Value;
            });
            tasks.Add(Aio.CreateTask(Leftover()));
            tasks.Add(Aio.CreateTask(Errs()));
            await Aio.Sleep(0);
            return "main done";
        }

        Assert.Equal("main done", Aio.Run(Main(), virtualTime: true));
        Assert.Equal(["leftover cancelled", "leftover cleaned up"], log);
        Assert.All(tasks, t => Assert.True(t.IsDone));
        ExceptionContext report = Assert.Single(reports);
        Assert.Equal("unhandled exception during asyncio.run() shutdown", report.Message);
        Assert.IsType<DivideByZeroException>(report.Exception);
        Assert.Same(tasks[1], report.Task);
        Assert.Equal(7, seenVar); // 3.12+: the handler runs in the failed task's context
    });

    // B132
    [Fact]
    public void Run_MainFails_LeftoverTasksAreStillCancelled() => IsolatedThread.Run(() =>
    {
        AioTask? leftover = null;

        static async Coroutine Forever() => await Aio.Sleep(double.PositiveInfinity);

        async Coroutine Main()
        {
            leftover = Aio.CreateTask(Forever());
            await Aio.Sleep(0);
            throw new FormatException("main failed");
        }

        Assert.Equal("main failed", Assert.Throws<FormatException>(() => Aio.Run(Main(), virtualTime: true)).Message);
        Assert.True(leftover!.IsCancelled);
    });

    // B133: the part that applies so far: leftover tasks finish while the loop is open, then it is closed
    // and uninstalled. (Async generators have no loop-level finalization in C#; the default executor comes later.)
    [Fact]
    public void Run_ShutsDownTasksBeforeClosingTheLoop() => IsolatedThread.Run(() =>
    {
        EventLoop? loop = null;
        bool loopOpenWhenCancelled = false;

        async Coroutine Leftover()
        {
            try
            {
                await Aio.Sleep(10);
            }
            catch (CancelledError)
            {
                loopOpenWhenCancelled = !loop!.IsClosed && loop.IsRunning;
                throw;
            }
        }

        async Coroutine Main()
        {
            loop = Aio.GetRunningLoop();
            _ = Aio.CreateTask(Leftover());
            await Aio.Sleep(0);
        }

        Aio.Run(Main(), virtualTime: true);
        Assert.True(loopOpenWhenCancelled);
        Assert.True(loop!.IsClosed);
        Assert.Throws<InvalidOperationException>(() => Aio.GetEventLoop());
    });

    // B134
    [Fact]
    public void Runner_RunsEveryCoroutineOnOneLoop() => IsolatedThread.Run(() =>
    {
        static async Coroutine<EventLoop> CurrentLoop()
        {
            await Aio.Sleep(0);
            return Aio.GetRunningLoop();
        }

        EventLoop loop;
        using (var runner = new AioRunner())
        {
            loop = runner.Loop;
            Assert.Same(loop, runner.Run(CurrentLoop()));
            Assert.Same(loop, runner.Run(CurrentLoop()));
            Assert.Same(loop, Aio.GetEventLoop());
        }
        Assert.True(loop.IsClosed);
    });

    // B134: AsyncLocal<T> plays contextvars; a value set by one run is seen by the next.
    [Fact]
    public void Runner_KeepsOneContextAcrossRuns() => IsolatedThread.Run(() =>
    {
        static async Coroutine<int> SwapValue(int value)
        {
            await Aio.Sleep(0);
            int old = s_var.Value ?? -1;
            s_var.Value = value;
            return old;
        }

        using var runner = new AioRunner();
        Assert.Equal(-1, runner.Run(SwapValue(1)));
        Assert.Equal(1, runner.Run(SwapValue(2)));
        Assert.Null(s_var.Value); // the caller's context is untouched
    });

    // B134
    [Fact]
    public void Runner_RunFromARunningLoop_Throws() => IsolatedThread.Run(() =>
    {
        static async Coroutine<int> Nested()
        {
            await Aio.Sleep(0);
            return 1;
        }

        using var runner = new AioRunner();

        async Coroutine<string> Main()
        {
            await Aio.Sleep(0);
            return Assert.Throws<InvalidOperationException>(() => runner.Run(Nested())).Message;
        }

        Assert.Contains("cannot be called from a running event loop", runner.Run(Main()));
    });

    // B134
    [Fact]
    public void Runner_AfterClose_RefusesEverything() => IsolatedThread.Run(() =>
    {
        static async Coroutine<int> One()
        {
            await Aio.Sleep(0);
            return 1;
        }

        var runner = new AioRunner();
        Assert.Equal(1, runner.Run(One()));
        runner.Close();
        runner.Close();
        runner.Dispose();

        Assert.Equal("Runner is closed", Assert.Throws<InvalidOperationException>(() => runner.Loop).Message);
        Assert.Equal("Runner is closed", Assert.Throws<InvalidOperationException>(() => runner.Run(One())).Message);
    });

    // B135 (the loop_factory part): the C# runners take the loop's clock instead of a loop factory.
    [Fact]
    public void RunnerAndRun_BuildTheirLoopOnTheGivenClock() => IsolatedThread.Run(() =>
    {
        static async Coroutine<double> SleepAMinute()
        {
            await Aio.Sleep(60);
            return Aio.GetRunningLoop().Time();
        }

        var clock = new VirtualTimeProvider();
        using (var runner = new AioRunner(timeProvider: clock))
        {
            Assert.Same(clock, runner.Loop.TimeProvider);
            Assert.Equal(60, runner.Run(SleepAMinute()), 6);
            Assert.Equal(120, runner.Run(SleepAMinute()), 6);
        }
        Assert.Equal(60, Aio.Run(SleepAMinute(), new VirtualTimeProvider()), 6);
    });
}
