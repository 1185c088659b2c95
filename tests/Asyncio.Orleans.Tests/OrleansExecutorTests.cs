namespace Asyncio.Orleans.Tests;

/// <summary>The jobs of a ProcessPoolExecutor, on a three-silo in-process cluster.</summary>
public sealed class OrleansExecutorTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    /// <summary>The most any test waits for a job: nothing may hang.</summary>
    private static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(30);

    private OrleansExecutor NewExecutor() => new(fixture.Cluster.Client);

    [Fact]
    public async Task Submit_ReturnsTheJobsResult()
    {
        using var cluster = NewExecutor();
        Assert.Equal(49, await cluster.Submit(Jobs.Square, 7).WaitAsync(Watchdog));
        Assert.Equal("hello", await cluster.Submit(Jobs.Hello).WaitAsync(Watchdog));
    }

    [Fact]
    public async Task Submit_RecordsCrossAsJson()
    {
        using var cluster = NewExecutor();
        Assert.Equal(new Point(2, 3), await cluster.Submit(Jobs.Move, new Point(1, 2)).WaitAsync(Watchdog));
    }

    [Fact]
    public async Task SubmitAction_CompletesWhenTheJobHasRun()
    {
        using var cluster = NewExecutor();
        int before = Jobs.Touched;
        await cluster.Submit(Jobs.Touch).WaitAsync(Watchdog);
        Assert.True(Jobs.Touched > before);
    }

    [Fact]
    public async Task CancelledBeforeSubmit_NeverRuns()
    {
        using var cluster = NewExecutor();
        string gate = "never-" + Guid.NewGuid();
        Task<string> job = cluster.Submit(Jobs.WaitForGate, gate, new CancellationToken(canceled: true));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job.WaitAsync(Watchdog));
        Assert.True(job.IsCanceled);
        Assert.False(Jobs.Started.ContainsKey(gate));
    }

    [Fact]
    public void WorkerCommand_RefusesAnUnknownClustering()
    {
        var error = new StringWriter();
        Assert.Equal(2, Asyncio.Cli.Program.Run(["worker", "--cluster", "azure"], TextWriter.Null, error));
        Assert.Contains("azure", error.ToString());
    }

    [Fact]
    public void RunInExecutor_ResumesOnTheLoopThread()
    {
        using var cluster = NewExecutor();
        (int result, bool sameThread) = Aio.Run(Main());
        Assert.Equal(1_000_000, result);
        Assert.True(sameThread);

        async Coroutine<(int, bool)> Main()
        {
            int before = Environment.CurrentManagedThreadId;
            int squared = await Aio.GetRunningLoop().RunInExecutor(cluster, Jobs.Square, 1000);
            return (squared, Environment.CurrentManagedThreadId == before);
        }
    }

    [Fact]
    public void Map_YieldsTheResultsInOrder()
    {
        using var cluster = NewExecutor();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * i), cluster.Map(Jobs.Square, Enumerable.Range(0, 20), timeout: 30));
    }

    [Fact]
    public async Task Jobs_SpreadOverTheSilos()
    {
        using var cluster = NewExecutor();
        var runs = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => cluster.SubmitWithSilo(Jobs.Square, i))).WaitAsync(Watchdog);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => i * i), runs.Select(r => r.Result));
        Assert.True(runs.Select(r => r.Silo).Distinct().Count() >= 2, string.Join(", ", runs.Select(r => r.Silo).Distinct()));
    }

    [Fact]
    public async Task JobException_ComesBackAsRemoteException()
    {
        using var cluster = NewExecutor();
        var error = await Assert.ThrowsAsync<RemoteException>(() => cluster.Submit(Jobs.Fail, "boom").WaitAsync(Watchdog));
        Assert.Equal("System.InvalidOperationException", error.RemoteType);
        Assert.Equal("boom", error.Message);
        Assert.Contains(nameof(Jobs.Fail), error.RemoteStackTrace);
        Assert.IsType<string>(error.Data["Silo"]);
        Assert.Equal(4, await cluster.Submit(Jobs.Square, 2).WaitAsync(Watchdog));
    }

    [Fact]
    public void Lambda_IsRefusedAtSubmit()
    {
        using var cluster = NewExecutor();
        int captured = 3;
        var error = Assert.Throws<ArgumentException>(() => { _ = cluster.Submit(() => captured); });
        Assert.Contains("OrleansExecutor runs static methods only", error.Message);
    }

    [Fact]
    public async Task Cancel_EndsTheAwaitingTaskCancelledWhileTheJobRuns()
    {
        using var cluster = NewExecutor();
        string gate = "cancel-" + Guid.NewGuid();
        using var cancel = new CancellationTokenSource();
        Task<string> job = cluster.Submit(Jobs.WaitForGate, gate, cancel.Token);
        await WaitUntil(() => Jobs.Started.ContainsKey(gate));
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(job.IsCanceled);
        Open(gate);
    }

    [Fact]
    public void CancelledLoopFuture_EndsCancelled()
    {
        using var cluster = NewExecutor();
        string gate = "loop-cancel-" + Guid.NewGuid();
        bool cancelled = Aio.Run(Main());
        Assert.True(cancelled);
        Open(gate);

        async Coroutine<bool> Main()
        {
            Future<string> future = Aio.GetRunningLoop().RunInExecutor(cluster, Jobs.WaitForGate, gate);
            while (!Jobs.Started.ContainsKey(gate)) await Aio.Sleep(0.01);
            future.Cancel();
            try
            {
                await future;
                return false;
            }
            catch (CancelledError)
            {
                return true;
            }
        }
    }

    [Fact]
    public async Task Shutdown_RefusesNewJobsAndWaitsForRunningOnes()
    {
        var cluster = NewExecutor();
        string gate = "shutdown-" + Guid.NewGuid();
        Task<string> job = cluster.Submit(Jobs.WaitForGate, gate);
        await WaitUntil(() => Jobs.Started.ContainsKey(gate));
        cluster.Shutdown(wait: false);
        var refused = Assert.Throws<InvalidOperationException>(() => { _ = cluster.Submit(Jobs.Square, 1); });
        Assert.Equal("cannot schedule new futures after shutdown", refused.Message);
        Assert.False(job.IsCompleted);
        Open(gate);
        Task waited = Task.Run(() => cluster.Shutdown(wait: true));
        await waited.WaitAsync(Watchdog);
        Assert.Equal(gate, await job);
        Assert.Equal(0, cluster.Pending);
    }

    [Fact]
    public async Task ShutdownCancelFutures_CancelsUnfinishedJobs()
    {
        var cluster = NewExecutor();
        string gate = "shutdown-cancel-" + Guid.NewGuid();
        Task<string> job = cluster.Submit(Jobs.WaitForGate, gate);
        await WaitUntil(() => Jobs.Started.ContainsKey(gate));
        await Task.Run(() => cluster.Shutdown(wait: true, cancelFutures: true)).WaitAsync(Watchdog);
        Assert.True(job.IsCanceled);
        Open(gate);
    }

    [Fact]
    public async Task CancelledCall_OfAJobQueuedOnItsSilo_EndsCancelledAtOnce()
    {
        // One grain key is one silo, as a rule: fill its job slots, queue a third job there, cancel that call. The
        // call ends cancelled at once. Whether the silo then drops the queued job depends on Orleans routing the
        // cancellation to the activation that holds it, which with several silos it sometimes does not: the executor
        // sends its own drop for that (CancelledJobs_QueuedOnFullSilos_NeverRun), a bare call gets no such promise.
        var grain = fixture.Cluster.Client.GetGrain<IAsyncioJobGrain>(7);
        string[] busy = Enumerable.Range(0, ClusterFixture.JobsPerSilo).Select(_ => "busy-" + Guid.NewGuid()).ToArray();
        var running = busy.Select(gate => grain.Run(GateCall(gate), CancellationToken.None)).ToList();
        await WaitUntil(() => busy.All(Jobs.Started.ContainsKey));
        string queued = "queued-" + Guid.NewGuid();
        using var cancel = new CancellationTokenSource();
        Task<JobReply> call = grain.Run(GateCall(queued), cancel.Token);
        await Task.Delay(200);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Watchdog));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the cancelled call took {clock.Elapsed} to end");
        Open(queued);
        foreach (string gate in busy) Open(gate);
        await Task.WhenAll(running).WaitAsync(Watchdog);
    }

    [Fact]
    public async Task CancelledJobs_QueuedOnFullSilos_NeverRun()
    {
        using var cluster = NewExecutor();
        var busy = new List<(string Gate, Task<string> Job)>();
        var queued = new List<(string Gate, Task<string> Job)>();
        using var cancel = new CancellationTokenSource();
        try
        {
            await FillEverySilo(cluster, busy);
            // Every job slot of every silo is taken: these wait in their silos' queues.
            for (int i = 0; i < 2 * fixture.Cluster.Silos.Count; i++)
            {
                string gate = "queued-" + Guid.NewGuid();
                queued.Add((gate, cluster.Submit(Jobs.WaitForGate, gate, cancel.Token)));
            }
            await Task.Delay(500);   // they reach their silos' queues (a drop that comes first is covered elsewhere)
            var clock = System.Diagnostics.Stopwatch.StartNew();
            cancel.Cancel();
            foreach ((_, Task<string> job) in queued)
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => job.WaitAsync(Watchdog));
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the cancelled jobs took {clock.Elapsed} to end");
            // The tasks end at once; the drops reach the silos a round trip later, and then the jobs stop counting as pending.
            await WaitUntil(() => cluster.Pending == busy.Count);

            await OpenAndAssertNeverStarted(cluster, busy, queued.Select(q => q.Gate));
        }
        finally
        {
            foreach ((string gate, _) in busy.Concat(queued)) Open(gate);
        }
    }

    [Fact]
    public async Task ShutdownCancelFutures_ReturnsOnceTheQueuedJobsAreDropped()
    {
        using var filler = NewExecutor();
        var busy = new List<(string Gate, Task<string> Job)>();
        string[] queued = Enumerable.Range(0, 2 * fixture.Cluster.Silos.Count).Select(_ => "shutdown-queued-" + Guid.NewGuid()).ToArray();
        try
        {
            await FillEverySilo(filler, busy);
            using var cluster = NewExecutor();
            var jobs = queued.Select(gate => cluster.Submit(Jobs.WaitForGate, gate)).ToList();
            await Task.Delay(500);   // they reach their silos' queues
            await Task.Run(() => cluster.Shutdown(wait: true, cancelFutures: true)).WaitAsync(Watchdog);
            Assert.All(jobs, job => Assert.True(job.IsCanceled));
            await OpenAndAssertNeverStarted(filler, busy, queued);
        }
        finally
        {
            foreach (string gate in busy.Select(b => b.Gate).Concat(queued)) Open(gate);
        }
    }

    [Fact]
    public async Task DropThatArrivesBeforeItsJob_DropsTheJob()
    {
        var grain = fixture.Cluster.Client.GetGrain<IAsyncioJobGrain>(11);
        string gate = "dropped-early-" + Guid.NewGuid();
        JobCall call = GateCall(gate);
        JobDropReply drop = await grain.Drop(call.JobId).WaitAsync(Watchdog);
        Assert.False(drop.Held);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => grain.Run(call, CancellationToken.None).WaitAsync(Watchdog));
        Assert.False(Jobs.Started.ContainsKey(gate));
        Open(gate);
    }

    /// <summary>
    /// Frees every silo's job slots (opens the gates of <paramref name="busy"/>) and checks that none of the dropped
    /// jobs <paramref name="dropped"/> starts: each would have taken the first slot freed on its silo.
    /// </summary>
    private static async Task OpenAndAssertNeverStarted(OrleansExecutor cluster, List<(string Gate, Task<string> Job)> busy, IEnumerable<string> dropped)
    {
        foreach ((string gate, _) in busy) Open(gate);
        await Task.WhenAll(busy.Select(b => b.Job)).WaitAsync(Watchdog);
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => cluster.Submit(Jobs.Square, i))).WaitAsync(Watchdog);
        await Task.Delay(500);
        Assert.DoesNotContain(dropped, Jobs.Started.ContainsKey);
    }

    /// <summary>
    /// Sends gated jobs until every silo runs <see cref="ClusterFixture.JobsPerSilo"/> of them (jobs go to the silos in
    /// turn, not by load: those that land on a silo already full wait there, and run once the gates open).
    /// </summary>
    private async Task FillEverySilo(OrleansExecutor cluster, List<(string Gate, Task<string> Job)> busy)
    {
        int silos = fixture.Cluster.Silos.Count;
        bool Full() => busy.Where(b => Jobs.Started.ContainsKey(b.Gate)).GroupBy(b => Jobs.Started[b.Gate])
            .Count(running => running.Count() >= ClusterFixture.JobsPerSilo) == silos;
        while (!Full())
        {
            Assert.True(busy.Count < 10 * silos, "the jobs never filled every silo: " + string.Join(", ", busy.Select(b => Jobs.Started.GetValueOrDefault(b.Gate))));
            string gate = "busy-" + Guid.NewGuid();
            busy.Add((gate, cluster.Submit(Jobs.WaitForGate, gate)));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
            while (!Jobs.Started.ContainsKey(gate) && DateTime.UtcNow < deadline) await Task.Delay(10);
        }
    }

    private static JobCall GateCall(string gate)
    {
        var method = typeof(Jobs).GetMethod(nameof(Jobs.WaitForGate))!;
        return new JobCall(method.Module.Assembly.FullName!, method.Module.ModuleVersionId, method.MetadataToken, "Jobs.WaitForGate",
            [System.Text.Json.JsonSerializer.Serialize(gate)], Guid.NewGuid());
    }

    [Fact]
    public async Task MissingJobAssembly_IsAClearRemoteException()
    {
        // In process every silo sees the tests' assemblies: ask one for an assembly nobody has, as a silo without it would be asked.
        var grain = fixture.Cluster.Client.GetGrain<IAsyncioJobGrain>(0);
        var call = new JobCall("Missing.Jobs, Version=1.2.3.4, Culture=neutral, PublicKeyToken=null", Guid.NewGuid(), 0x06000001, "Missing.Jobs.Run", [], Guid.NewGuid());
        JobReply reply = await grain.Run(call, CancellationToken.None).WaitAsync(Watchdog);
        Assert.Equal("System.IO.FileNotFoundException", reply.ErrorType);
        Assert.Contains("Missing.Jobs, Version=1.2.3.4", reply.ErrorMessage);
        Assert.Contains("is not loaded on silo", reply.ErrorMessage);
    }

    [Fact]
    public async Task OtherBuildOfAJobAssembly_IsRefused()
    {
        var grain = fixture.Cluster.Client.GetGrain<IAsyncioJobGrain>(0);
        var method = typeof(Jobs).GetMethod(nameof(Jobs.Hello))!;
        var call = new JobCall(method.Module.Assembly.FullName!, Guid.NewGuid(), method.MetadataToken, "Jobs.Hello", [], Guid.NewGuid());
        JobReply reply = await grain.Run(call, CancellationToken.None).WaitAsync(Watchdog);
        Assert.Equal("System.IO.FileLoadException", reply.ErrorType);
        Assert.Contains("another build", reply.ErrorMessage);
    }

    [Fact]
    public void AddAsyncioWorkers_RefusesAMissingJobAssembly()
    {
        var error = Assert.Throws<FileNotFoundException>(() => new JobAssemblies(["/nonexistent/Jobs.dll"]));
        Assert.Contains("Jobs.dll", error.Message);
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Watchdog;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition never held");
            await Task.Delay(10);
        }
    }

    internal static void Open(string gate) => Jobs.Gates.GetOrAdd(gate, _ => new ManualResetEventSlim()).Set();
}
