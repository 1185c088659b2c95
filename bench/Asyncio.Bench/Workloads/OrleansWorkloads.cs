using System.Diagnostics;
using System.Net;
using Asyncio.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;

namespace Asyncio.Bench.Workloads;

/// <summary>
/// The cluster executor against the process pool: the round trip of a trivial job, and the sieve of
/// <c>exec_cpu_process</c> on silos. The silos run in this process (each its own Orleans host on 127.0.0.1, with
/// its own ports and job threads), so the numbers are Orleans' messaging and serialization over loopback TCP, not
/// a second machine's cores.
/// </summary>
public static class OrleansWorkloads
{
    /// <summary>The trivial job: its argument back.</summary>
    public static int Echo(int x) => x;

    /// <summary>n sequential <c>await loop.RunInExecutor(cluster, Echo, i)</c> on a two-silo cluster: calls per second.</summary>
    [Workload("exec_trivial_orleans", Runtimes.Aio)]
    public static Measurement TrivialOrleans(BenchArgs a)
    {
        using var silos = new LocalSilos(a.Int("silos", 2), jobsPerSilo: 1);
        using var cluster = new OrleansExecutor(silos.Client);
        return RoundTrips(a, cluster, 2_000);
    }

    /// <summary>The same on ProcessPoolExecutor(2), for comparison.</summary>
    [Workload("exec_trivial_process", Runtimes.Aio)]
    public static Measurement TrivialProcess(BenchArgs a)
    {
        using var pool = new ProcessPoolExecutor(2);
        return RoundTrips(a, pool, 2_000);
    }

    /// <summary>16 sieve chunks on two one-job silos through <c>RunInExecutor</c>: speed-up over sequential (as <c>exec_cpu_process</c>).</summary>
    [Workload("exec_cpu_orleans", Runtimes.Aio)]
    public static Measurement CpuOrleans(BenchArgs a)
    {
        using var silos = new LocalSilos(a.Int("workers", 2), jobsPerSilo: 1);
        using var cluster = new OrleansExecutor(silos.Client);
        return ExecutorWorkloads.CpuSpeedup(a, cluster);
    }

    private static Measurement RoundTrips(BenchArgs a, IExecutor executor, int defaultCount)
    {
        int n = a.Int("n", defaultCount);
        static async Coroutine<double> Run(IExecutor executor, int n)
        {
            EventLoop loop = Aio.GetRunningLoop();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < n; i++) await loop.RunInExecutor(executor, Echo, i);
            return clock.Elapsed.TotalSeconds;
        }
        Aio.Run(Run(executor, Math.Max(10, n / 5)));
        double seconds = Aio.Run(Run(executor, n));
        return new Measurement(n / seconds, "calls/s", new Dictionary<string, object> { ["n"] = n, ["wall_s"] = seconds, ["us_per_call"] = seconds / n * 1e6 });
    }

    /// <summary>Silos on 127.0.0.1 in this process (the first the primary) and a client of their gateways.</summary>
    private sealed class LocalSilos : IDisposable
    {
        private readonly List<IHost> _hosts = new();

        public LocalSilos(int count, int jobsPerSilo)
        {
            int basePort = Random.Shared.Next(20_000, 40_000);
            for (int i = 0; i < count; i++)
            {
                HostApplicationBuilder builder = Host.CreateApplicationBuilder();
                builder.Logging.SetMinimumLevel(LogLevel.Error);
                int index = i;
                builder.UseOrleans(silo => silo
                    .UseLocalhostClustering(basePort + index, basePort + 100 + index, index == 0 ? null : new IPEndPoint(IPAddress.Loopback, basePort))
                    .AddAsyncioWorkers(o => o.MaxConcurrentJobs = jobsPerSilo));
                IHost host = builder.Build();
                host.Start();
                _hosts.Add(host);
            }
            HostApplicationBuilder client = Host.CreateApplicationBuilder();
            client.Logging.SetMinimumLevel(LogLevel.Error);
            client.UseOrleansClient(c => c.UseStaticClustering(Enumerable.Range(0, count).Select(i => new IPEndPoint(IPAddress.Loopback, basePort + 100 + i)).ToArray()));
            IHost clientHost = client.Build();
            clientHost.Start();
            _hosts.Insert(0, clientHost);
            Client = clientHost.Services.GetRequiredService<IClusterClient>();
        }

        public IClusterClient Client { get; }

        public void Dispose()
        {
            foreach (IHost host in _hosts)
            {
                host.StopAsync().Wait(TimeSpan.FromSeconds(10));
                host.Dispose();
            }
        }
    }
}
