using Orleans.TestingHost;

namespace Asyncio.Orleans.Tests;

/// <summary>A silo lost in the middle of jobs, on a cluster of its own (the tests kill silos).</summary>
public sealed class SiloLossTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(45);

    /// <summary>Quick silo checks, so a lost silo is noticed within a few seconds.</summary>
    private static readonly OrleansExecutorOptions Checks = new() { SiloCheckInterval = TimeSpan.FromSeconds(0.25), SiloCheckTimeout = TimeSpan.FromSeconds(3) };

    [Fact]
    public async Task KilledSilo_FailsItsJobsNamingIt_AndTheExecutorKeepsServing()
    {
        using var cluster = new OrleansExecutor(fixture.Cluster.Client, Checks);
        (SiloHandle victim, List<(string Gate, Task<string> Job)> jobs) = await StartJobsOnEverySilo(cluster, Jobs.WaitForGate);

        await fixture.Cluster.KillSiloAsync(victim).WaitAsync(Watchdog);
        foreach ((string gate, _) in jobs) OrleansExecutorTests.Open(gate);
        await Task.WhenAll(jobs.Select(j => j.Job)).ContinueWith(_ => { }).WaitAsync(Watchdog);

        var lost = jobs.Where(j => j.Job.IsFaulted).Select(j => j.Job.Exception!.InnerException).ToList();
        Assert.NotEmpty(lost);
        Assert.All(lost, e =>
        {
            var error = Assert.IsType<SiloLostException>(e);
            Assert.Contains("Jobs.WaitForGate", error.Message);
            Assert.EndsWith(" at " + victim.SiloAddress.Endpoint, error.Silo, StringComparison.Ordinal);
        });
                var after = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => cluster.Submit(Jobs.Square, i))).WaitAsync(Watchdog);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i * i), after);
        await fixture.Cluster.StartAdditionalSiloAsync().WaitAsync(Watchdog);
    }

    [Fact]
    public async Task KilledSilo_RetriesIdempotentJobsElsewhere()
    {
        using var cluster = new OrleansExecutor(fixture.Cluster.Client, Checks);
        (SiloHandle victim, List<(string Gate, Task<string> Job)> jobs) = await StartJobsOnEverySilo(cluster, Jobs.Idempotent);

        await fixture.Cluster.KillSiloAsync(victim).WaitAsync(Watchdog);
        foreach ((string gate, _) in jobs) OrleansExecutorTests.Open(gate);
        string[] results = await Task.WhenAll(jobs.Select(j => j.Job)).WaitAsync(Watchdog);

        Assert.Contains(results, r => r.EndsWith(" again", StringComparison.Ordinal));
        await fixture.Cluster.StartAdditionalSiloAsync().WaitAsync(Watchdog);
    }

    /// <summary>
    /// Starts gated jobs until one runs on a silo that is not the primary (the cluster's membership lives there), and
    /// returns that silo, to kill. Jobs that land on a full silo wait in its queue: they are lost with it, or run later.
    /// </summary>
    private async Task<(SiloHandle, List<(string, Task<string>)>)> StartJobsOnEverySilo(OrleansExecutor cluster, Func<string, string> job)
    {
        var jobs = new List<(string, Task<string>)>();
        SiloHandle? victim = null;
        for (int i = 0; i < 12 && victim is null; i++)
        {
            string gate = $"loss-{Guid.NewGuid()}";
            jobs.Add((gate, cluster.Submit(job, gate)));
            await Task.Delay(100);
            victim = fixture.Cluster.SecondarySilos.FirstOrDefault(s => jobs.Any(j =>
                Jobs.Started.TryGetValue(j.Item1, out string? silo) && silo.EndsWith(" at " + s.SiloAddress.Endpoint, StringComparison.Ordinal)));
        }
        if (victim is null)
        {
            foreach ((string gate, _) in jobs) OrleansExecutorTests.Open(gate);
            Assert.Fail("no job ran on a secondary silo: " + string.Join(", ", jobs.Select(j => Jobs.Started.GetValueOrDefault(j.Item1)))
                + " secondaries: " + string.Join(", ", fixture.Cluster.SecondarySilos.Select(s => s.SiloAddress.Endpoint)));
        }
        return (victim, jobs);
    }
}
