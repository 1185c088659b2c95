using System.Diagnostics;
using System.Globalization;
using System.Net;
using Asyncio.Cli.Commands;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;

namespace Asyncio.Orleans.Tests;

/// <summary>Two real <c>aio worker</c> silos on 127.0.0.1, one of them killed (SIGKILL) in the middle of a job.</summary>
public sealed class WorkerProcessTests
{
    private static readonly TimeSpan Watchdog = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WorkerProcesses_RunJobs_AndAKilledOneFailsOnlyItsJobNamingIt()
    {
        int childrenBefore = ChildProcessCount();
        var workers = new List<Process>();
        try
        {
            string jobs = typeof(Jobs).Assembly.Location;
            int primaryPort = WorkerCommand.FreePort();
            int[] gateways = [WorkerCommand.FreePort(), WorkerCommand.FreePort()];
            for (int i = 0; i < 2; i++)
            {
                IPEndPoint? primary = i == 0 ? null : new IPEndPoint(IPAddress.Loopback, primaryPort);
                int siloPort = i == 0 ? primaryPort : WorkerCommand.FreePort();
                workers.Add(WorkerCommand.Launch(new WorkerCommand.Options(siloPort, gateways[i], primary, $"worker-{i + 1}", 1, [jobs], null)));
                WorkerCommand.WaitReady(workers[i], Watchdog);
            }

            HostApplicationBuilder builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Error);
            builder.UseOrleansClient(c => c.UseStaticClustering(gateways.Select(p => new IPEndPoint(IPAddress.Loopback, p)).ToArray()));
            using IHost client = builder.Build();
            await client.StartAsync().WaitAsync(Watchdog);
            var options = new OrleansExecutorOptions { SiloCheckInterval = TimeSpan.FromSeconds(0.25), SiloCheckTimeout = TimeSpan.FromSeconds(3) };
            var cluster = new OrleansExecutor(client.Services.GetRequiredService<IClusterClient>(), options);

            var squares = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => cluster.SubmitWithSilo(Jobs.Square, i))).WaitAsync(Watchdog);
            Assert.Equal(Enumerable.Range(0, 8).Select(i => i * i), squares.Select(s => s.Result));
            Assert.Equal(["worker-1", "worker-2"], squares.Select(s => s.Silo.Split(' ')[0]).Distinct().Order());

            // One blocked job per silo (each runs one at a time); then worker-2 dies without a word.
            var clock = Stopwatch.StartNew();
            Task<double>[] blocked = [cluster.Submit(Jobs.Block, 5.0), cluster.Submit(Jobs.Block, 5.0)];
            await Task.Delay(1000);
            workers[1].Kill();
            var lost = await Assert.ThrowsAsync<SiloLostException>(() => Task.WhenAny(blocked).Unwrap().WaitAsync(Watchdog));
            Assert.StartsWith("worker-2 at 127.0.0.1:", lost.Silo, StringComparison.Ordinal);
            Assert.Contains("Jobs.Block", lost.Message);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the loss was noticed after {clock.Elapsed}");

            Assert.Equal(Enumerable.Range(0, 6).Select(i => i * i), await Task.WhenAll(Enumerable.Range(0, 6).Select(i => cluster.Submit(Jobs.Square, i))).WaitAsync(Watchdog));
            cluster.Shutdown(wait: false, cancelFutures: true);
            await client.StopAsync().WaitAsync(Watchdog);
        }
        finally
        {
            foreach (Process worker in workers)
            {
                if (!worker.HasExited) worker.Kill(entireProcessTree: true);
                worker.WaitForExit(10_000);
            }
        }
        Assert.Equal(childrenBefore, ChildProcessCount());
    }

    [Fact]
    public void Worker_RefusesAMissingJobAssembly()
    {
        using Process worker = WorkerCommand.Launch(new WorkerCommand.Options(WorkerCommand.FreePort(), WorkerCommand.FreePort(), null, "bad", 1, ["/nonexistent/Jobs.dll"], null));
        Assert.True(worker.WaitForExit(60_000));
        string error = worker.StandardError.ReadToEnd();
        Assert.Equal(2, worker.ExitCode);
        Assert.Contains("/nonexistent/Jobs.dll", error);
    }

    /// <summary>The processes whose parent is this one (Linux: /proc/N/stat's fourth field).</summary>
    private static int ChildProcessCount()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        string me = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        int count = 0;
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[1] == me) count++;
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return count;
    }
}
