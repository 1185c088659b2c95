using System.Runtime.CompilerServices;

namespace Asyncio.Tests.Futures;

/// <summary>Coroutines versus tasks: laziness, single use, never-awaited reports (behaviours B012–B015).</summary>
public sealed class CoroutineTests : IDisposable
{
    private readonly EventLoop _loop = TestLoop.NewVirtual();

    public void Dispose() => _loop.Close();

    // B012
    [Fact]
    public void CallingACoroutineMethod_RunsNothingUntilItIsRun()
    {
        var ran = new List<int>();

        async Coroutine<int> F()
        {
            ran.Add(1);
            await Aio.Sleep(0);
            return 1;
        }

        Coroutine<int> c = F();
        Assert.Empty(ran);
        Assert.False(c.IsCompleted);

        Assert.Equal(1, _loop.RunUntilComplete(c));
        Assert.Equal([1], ran);
        Assert.True(c.IsCompleted);
    }

    // B013
    [Fact]
    public void AwaitingACoroutineTwice_ThrowsCannotReuseAtTheSecondAwait()
    {
        static async Coroutine<int> F()
        {
            await Aio.Sleep(0);
            return 1;
        }

        async Coroutine<string> Main()
        {
            Coroutine<int> c = F();
            await c;
            try
            {
                await c;
                return "no error";
            }
            catch (InvalidOperationException e)
            {
                return e.Message;
            }
        }

        Assert.Equal("cannot reuse already awaited coroutine", _loop.RunUntilComplete(Main()));
    }

    // B014
    [Fact]
    public void AwaitingACoroutineDrivenByATask_ThrowsBeingAwaitedAlready()
    {
        static async Coroutine AFunc() => await Aio.Sleep(0.1);

        async Coroutine<string> Runner()
        {
            Coroutine c = AFunc();
            AioTask t = Aio.CreateTask(c);
            try
            {
                await Aio.Sleep(0);
                await c;
                return "no error";
            }
            catch (InvalidOperationException e)
            {
                return e.Message;
            }
            finally
            {
                t.Cancel();
            }
        }

        Assert.Equal("coroutine is being awaited already", _loop.RunUntilComplete(Runner()));
    }

    // B015
    [Fact]
    public void NeverAwaitedCoroutine_IsReportedInDebugMode()
    {
        var reports = new List<ExceptionContext>();
        // Debug mode turns tracking on for the whole process: put it back so other tests do not pay for it.
        bool wasTracking = AioTask.s_trackNeverAwaited;
        _loop.Debug = true;
        _loop.SetExceptionHandler((_, context) => reports.Add(context));

        async Coroutine Main()
        {
            CreateAndDrop();
            await Aio.Sleep(0);
        }

        try
        {
            _loop.RunUntilComplete(Main());
            GC.Collect();
            GC.WaitForPendingFinalizers();
            _loop.RunOnce();
        }
        finally
        {
            AioTask.s_trackNeverAwaited = wasTracking;
        }

        ExceptionContext report = Assert.Single(reports);
        Assert.Equal("coroutine 'NeverAwaited' was never awaited", report.Message);
    }

    // B015 (the name in the report is the coroutine's method name, local functions included)
    [Fact]
    public void CoroutineName_IsTheMethodName_AlsoForLocalFunctions()
    {
        static async Coroutine Local() => await Aio.Sleep(0);

        Coroutine local = Local();
        Coroutine member = NeverAwaited();

        Assert.Equal("Local", local.Name);
        Assert.Equal("NeverAwaited", member.Name);
        _loop.RunUntilComplete(local);
        _loop.RunUntilComplete(member);
    }

    // Dropping a coroutine is the mistake whose run-time report these tests check.
#pragma warning disable AIO001
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void CreateAndDrop() => _ = NeverAwaited();
#pragma warning restore AIO001

    private static async Coroutine NeverAwaited() => await Aio.Sleep(0);
}
