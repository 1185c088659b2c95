using System.Diagnostics;

// Executors are concurrent.futures: their futures are waited on by blocking, as Python code does.
#pragma warning disable xUnit1031

namespace Asyncio.Tests.Executors;

/// <summary>ProcessPoolExecutor: static methods in worker processes, JSON across the boundary, broken pools.</summary>
public class ProcessPoolExecutorTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    [Fact]
    public void Submit_RunsTheStaticMethodInAnotherProcess()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        int worker = pool.Submit(ProcessJobs.ProcessId).Result;
        Assert.NotEqual(Environment.ProcessId, worker);
        Assert.Contains(worker, pool.WorkerProcessIds);
    }

    [Fact]
    public void Submit_ArgumentAndResult_RoundTripThroughJson()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Assert.Equal(49, pool.Submit(ProcessJobs.Square, 7).Result);
        Assert.Equal(new Point(2, 1, "p!"), pool.Submit(ProcessJobs.Mirror, new Point(1, 2, "p")).Result);
    }

    [Fact]
    public void Submit_StaticVoidMethod_CompletesTheTask_AlsoThroughRunInExecutor()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Assert.True(pool.Submit(ProcessJobs.Announce).Wait(Generous));
        var loop = TestLoop.NewVirtual();
        Future done = loop.RunInExecutor(pool, ProcessJobs.Announce);
        loop.RunUntilComplete(done);
        Assert.True(done.IsDone && !done.IsCancelled);
        loop.Close();
    }

    [Fact]
    public void Submit_Lambda_ThrowsArgumentException()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Action submit = () => pool.Submit((int x) => x + 1, 1);
        Assert.Throws<ArgumentException>(submit);
    }

    [Fact]
    public void Submit_JobException_ComesBackAsRemoteExceptionWithTypeMessageAndStack()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Task<int> job = pool.Submit(ProcessJobs.Fail, "bad data");
        var error = Assert.Throws<RemoteException>(() => job.GetAwaiter().GetResult());
        Assert.Equal("System.IO.InvalidDataException", error.RemoteType);
        Assert.Equal("bad data", error.Message);
        Assert.Contains(nameof(ProcessJobs.Fail), error.RemoteStackTrace);
    }

    [Fact]
    public void Pool_KeepsWorkingAfterAJobException()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Assert.ThrowsAny<Exception>(() => pool.Submit(ProcessJobs.Fail, "x").GetAwaiter().GetResult());
        Assert.False(pool.IsBroken);
        Assert.Equal(9, pool.Submit(ProcessJobs.Square, 3).Result);
    }

    [Fact]
    public void WorkerKilledMidJob_FailsTheJobWithBrokenProcessPool_AndBreaksThePool()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 1);
        using var pipe = new JobPipe();
        Task<int> hanging = pool.Submit(ProcessJobs.ReportThenHang, pipe.Name);
        Task<int> queued = pool.Submit(ProcessJobs.Square, 3);
        Process.GetProcessById(pipe.WaitForReport(Generous)).Kill();
        Assert.ThrowsAny<Exception>(() => hanging.Wait(Generous));
        Assert.IsType<BrokenProcessPool>(hanging.Exception!.InnerException);
        Assert.IsType<BrokenProcessPool>(queued.Exception!.InnerException);
        Assert.True(pool.IsBroken);
        pool.Shutdown();
    }

    [Fact]
    public void WorkerExitingMidJob_FailsTheJobWithBrokenProcessPool()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Task<int> job = pool.Submit(ProcessJobs.ExitAbruptly, 3);
        var error = Assert.Throws<BrokenProcessPool>(() => job.GetAwaiter().GetResult());
        Assert.Contains("terminated abruptly", error.Message);
        Assert.True(pool.IsBroken);
    }

    [Fact]
    public void Submit_OnABrokenPool_ThrowsBrokenProcessPool()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Assert.Throws<BrokenProcessPool>(() => pool.Submit(ProcessJobs.ExitAbruptly, 3).GetAwaiter().GetResult());
        Action submit = () => pool.Submit(ProcessJobs.Square, 2);
        Assert.Throws<BrokenProcessPool>(submit);
    }

    [Fact]
    public void Submit_AfterShutdown_ThrowsCannotScheduleNewFutures()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 1);
        pool.Shutdown();
        Action submit = () => pool.Submit(ProcessJobs.Square, 2);
        Assert.Equal("cannot schedule new futures after shutdown", Assert.Throws<InvalidOperationException>(submit).Message);
    }

    [Fact]
    public void Map_RunsTheItemsInWorkers_InOrder()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        Assert.Equal([1, 4, 9, 16, 25], pool.Map<int, int>(ProcessJobs.Square, [1, 2, 3, 4, 5]).ToList());
    }

    [Fact]
    public void Workers_StartOnDemandUpToMaxWorkers()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 2);
        var ids = Enumerable.Range(0, 6).Select(_ => pool.Submit(ProcessJobs.Hang, 0)).ToArray();
        Assert.True(Task.WaitAll(ids, Generous));
        Assert.InRange(pool.WorkerProcessIds.Count, 1, 2);
    }

    [Fact]
    public void Shutdown_Wait_LetsTheWorkersExit()
    {
        var pool = new ProcessPoolExecutor(maxWorkers: 1);
        int id = pool.Submit(ProcessJobs.ProcessId).Result;
        pool.Shutdown(wait: true);
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(id));
    }

    [Fact]
    public void ConsoleOutputOfAJob_IsForwardedWithoutBreakingTheProtocol()
    {
        using var pool = new ProcessPoolExecutor(maxWorkers: 1);
        Assert.Equal(5, pool.Submit(ProcessJobs.Print, "hello").Result);
    }
}
