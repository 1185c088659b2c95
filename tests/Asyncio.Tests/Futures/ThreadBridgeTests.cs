namespace Asyncio.Tests.Futures;

/// <summary>
/// <c>Aio.RunCoroutineThreadsafe</c>: submitting coroutines to a loop running on another thread (behaviour B040).
/// </summary>
public sealed class ThreadBridgeTests : IDisposable
{
    /// <summary>Generous: these waits cross threads on a machine shared with other builds.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    private readonly EventLoop _loop = TestLoop.NewVirtual();
    private readonly Thread _loopThread;

    public ThreadBridgeTests()
    {
        _loopThread = new Thread(_loop.RunForever) { Name = "loop", IsBackground = true };
        _loopThread.Start();
    }

    public void Dispose()
    {
        _loop.CallSoonThreadsafe(_loop.Stop);
        Assert.True(_loopThread.Join(s_timeout), "the loop thread did not stop");
        _loop.Close();
    }

    // B040
    [Fact]
    public async Task RunCoroutineThreadsafe_ReturnsTheCoroutinesResult()
    {
        static async Coroutine<int> Add(int a, int b)
        {
            await Aio.Sleep(0.05);
            return a + b;
        }

        Task<int> result = Aio.RunCoroutineThreadsafe(Add(1, 2), _loop);

        Assert.Equal(3, await result.WaitAsync(s_timeout));
    }

    // B040
    [Fact]
    public async Task RunCoroutineThreadsafe_WaitingWithATimeout_ThrowsTimeoutException()
    {
        using var cancel = new CancellationTokenSource();
        Task<int> result = Aio.RunCoroutineThreadsafe(WaitForever(), _loop, cancel.Token);

        await Assert.ThrowsAsync<TimeoutException>(() => result.WaitAsync(TimeSpan.Zero));

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => result.WaitAsync(s_timeout));
    }

    // B040
    [Fact]
    public async Task RunCoroutineThreadsafe_CancellingTheToken_CancelsTheTaskOnTheLoop()
    {
        using var cancel = new CancellationTokenSource();
        Task<int> result = Aio.RunCoroutineThreadsafe(WaitForever(), _loop, cancel.Token);
        Assert.Equal(2, await Aio.RunCoroutineThreadsafe(CountTasks(), _loop).WaitAsync(s_timeout));

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => result.WaitAsync(s_timeout));
        Assert.True(result.IsCanceled);
        Assert.Equal(1, await Aio.RunCoroutineThreadsafe(CountTasks(), _loop).WaitAsync(s_timeout));
    }

    // B040
    [Fact]
    public async Task RunCoroutineThreadsafe_TheCoroutinesExceptionIsRethrown()
    {
        static async Coroutine<int> Fail()
        {
            await Aio.Sleep(0);
            throw new InvalidOperationException("Fail!");
        }

        Task<int> result = Aio.RunCoroutineThreadsafe(Fail(), _loop);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => result.WaitAsync(s_timeout));
        Assert.Equal("Fail!", error.Message);
    }

    // B040
    [Fact]
    public async Task RunCoroutineThreadsafe_ATaskCancelledOnTheLoop_CancelsTheDotNetTask()
    {
        static async Coroutine<int> CancelItself()
        {
            await Aio.Sleep(0);
            Aio.CurrentTask()!.Cancel();
            await Aio.Sleep(0);
            return 1;
        }

        Task<int> result = Aio.RunCoroutineThreadsafe(CancelItself(), _loop);

        // .NET's own cancellation, not the loop's CancelledError (asyncio: concurrent.futures.CancelledError).
        await Assert.ThrowsAsync<TaskCanceledException>(() => result.WaitAsync(s_timeout));
        Assert.True(result.IsCanceled);
    }

    private static async Coroutine<int> WaitForever() => await Aio.GetRunningLoop().CreateFuture<int>();

    private static async Coroutine<int> CountTasks()
    {
        await Aio.Sleep(0);
        return Aio.AllTasks().Count;
    }
}
