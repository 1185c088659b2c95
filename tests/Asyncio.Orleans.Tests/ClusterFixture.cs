using Orleans.Hosting;
using Orleans.TestingHost;

namespace Asyncio.Orleans.Tests;

/// <summary>
/// An in-process cluster of three silos that run executor jobs (two at a time each), shared by the tests of a class
/// (starting one takes seconds). A test that stops a silo starts a fresh one in its place.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int JobsPerSilo = 2;

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<WorkerSilo>();
        Cluster = builder.Build();
        await Cluster.DeployAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));

    private sealed class WorkerSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddAsyncioWorkers(o => o.MaxConcurrentJobs = JobsPerSilo);
    }
}
