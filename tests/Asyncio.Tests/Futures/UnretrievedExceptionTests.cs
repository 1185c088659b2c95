using System.Runtime.CompilerServices;

namespace Asyncio.Tests.Futures;

/// <summary>"exception was never retrieved" reports of collected futures and tasks (behaviour B010).</summary>
public sealed class UnretrievedExceptionTests : IDisposable
{
    private readonly EventLoop _loop = TestLoop.NewVirtual();
    private readonly List<ExceptionContext> _reports = new();

    public UnretrievedExceptionTests() => _loop.SetExceptionHandler((_, context) => _reports.Add(context));

    public void Dispose() => _loop.Close();

    // B010
    [Fact]
    public void UnretrievedException_IsReportedWhenTheFutureIsCollected()
    {
        var boom = new InvalidOperationException("boom");

        FinishAndDrop(boom, _ => { });
        CollectAndDeliverReports();

        ExceptionContext report = Assert.Single(_reports);
        Assert.Equal("Future exception was never retrieved", report.Message);
        Assert.Equal(["exception", "future", "message"], report.Keys);
        Assert.Same(boom, report.Exception);
        Assert.StartsWith(
            "Future exception was never retrieved" + Environment.NewLine +
            "future: <Future finished exception=InvalidOperationException('boom')>",
            report.ToString());
    }

    // B010
    [Fact]
    public void UnretrievedException_IsSilencedByException()
    {
        FinishAndDrop(new InvalidOperationException("boom"), f => f.Exception());
        CollectAndDeliverReports();

        Assert.Empty(_reports);
    }

    // B010
    [Fact]
    public void UnretrievedException_IsSilencedByResultEvenThoughItThrew()
    {
        FinishAndDrop(new InvalidOperationException("boom"), f => Assert.Throws<InvalidOperationException>(() => f.Result()));
        CollectAndDeliverReports();

        Assert.Empty(_reports);
    }

    // B010
    [Fact]
    public void UnretrievedException_IsSilencedByCancelOnTheFinishedFuture()
    {
        FinishAndDrop(new InvalidOperationException("boom"), f => Assert.False(f.Cancel()));
        CollectAndDeliverReports();

        Assert.Empty(_reports);
    }

    // B010
    [Fact]
    public void FutureFinishedWithResult_IsNeverReported()
    {
        FinishWithResultAndDrop();
        CollectAndDeliverReports();

        Assert.Empty(_reports);
    }

    // B010
    [Fact]
    public void UnretrievedTaskException_IsReportedAsTask()
    {
        RunFailingTaskAndDrop();
        CollectAndDeliverReports();

        ExceptionContext report = Assert.Single(_reports);
        Assert.Equal("Task exception was never retrieved", report.Message);
        Assert.Equal(["exception", "future", "message"], report.Keys);
        Assert.IsType<InvalidOperationException>(report.Exception);
        Assert.IsAssignableFrom<AioTask>(report.Future);
    }

    /// <summary>Creates a future, finishes it with <paramref name="error"/>, lets <paramref name="after"/> touch it, drops it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FinishAndDrop(Exception error, Action<Future<int>> after)
    {
        var f = _loop.CreateFuture<int>();
        f.SetException(error);
        after(f);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FinishWithResultAndDrop() => _loop.CreateFuture<int>().SetResult(1);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RunFailingTaskAndDrop()
    {
        static async Coroutine Fail()
        {
            await Aio.Sleep(0);
            throw new InvalidOperationException("boom");
        }

        AioTask task = _loop.CreateTask(Fail());
        while (!task.IsDone) _loop.RunOnce();
    }

    /// <summary>Collects garbage, then runs one iteration so reports posted by finalizers reach the handler.</summary>
    private void CollectAndDeliverReports()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _loop.RunOnce();
    }
}
