using System.Diagnostics;
using System.Net;
using Asyncio.Cli.Commands;
using Asyncio.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;

namespace Asyncio.Cli.Demos;

/// <summary>
/// The process-pool example of the cheat sheet on a cluster: two <c>aio worker</c> silos in child processes, the prime
/// chunks spread over them through an <see cref="OrleansExecutor"/>, and which silo counted which chunk.
/// </summary>
/// <remarks>
/// <code>
/// with ProcessPoolExecutor(2) as pool:               # using var cluster = new OrleansExecutor(client);
///     parallel = sum(await asyncio.gather(*(loop.run_in_executor(pool, count_primes, c) for c in chunks)))
/// </code>
/// The silos stop with this process however it ends: they are killed in a <c>finally</c> (Ctrl-C included), and each
/// watches this process and stops when it is gone.
/// </remarks>
internal sealed class ClusterDemo : Demo
{
    private const int Chunks = 8;
    private const int Size = 2_000_000;

    public override string Name => "cluster";

    public override string Title => "ProcessPoolExecutor's jobs on an Orleans cluster of two silos";

    public override int Order => 915;

    public override void Run(TextWriter output)
    {
        var silos = new List<Process>();
        ConsoleCancelEventHandler onCtrlC = (_, _) => KillAll(silos);
        Console.CancelKeyPress += onCtrlC;
        try
        {
            string jobs = typeof(PrimeRange).Assembly.Location;
            int primaryPort = WorkerCommand.FreePort();
            int[] gateways = [WorkerCommand.FreePort(), WorkerCommand.FreePort()];
            for (int i = 0; i < 2; i++)
            {
                IPEndPoint? primary = i == 0 ? null : new IPEndPoint(IPAddress.Loopback, primaryPort);
                int siloPort = i == 0 ? primaryPort : WorkerCommand.FreePort();
                silos.Add(WorkerCommand.Launch(new WorkerCommand.Options(siloPort, gateways[i], primary, $"silo-{i + 1}", 1, [jobs], null)));
                WorkerCommand.WaitReady(silos[i], TimeSpan.FromSeconds(90));
                output.WriteLine($"started silo-{i + 1} (process {silos[i].Id}, gateway port {gateways[i]})");
            }
            RunJobs(gateways, output);
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
            KillAll(silos);
        }
    }

    private static void RunJobs(int[] gateways, TextWriter output)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.UseOrleansClient(client => client.UseStaticClustering(gateways.Select(p => new IPEndPoint(IPAddress.Loopback, p)).ToArray()));
        using IHost host = builder.Build();
        host.Start();
        using var cluster = new OrleansExecutor(host.Services.GetRequiredService<IClusterClient>());
        List<PrimeRange> chunks = PrimeRange.Chunks(Chunks, Size);

        async Coroutine<long> Main()
        {
            var jobs = chunks.Select(c => Aio.WrapFuture(cluster.SubmitWithSilo(PrimeRange.CountPrimes, c))).ToList();
            long total = 0;
            for (int i = 0; i < jobs.Count; i++)
            {
                ClusterJobResult<long> job = await jobs[i];
                output.WriteLine($"  [{chunks[i].Start,10:N0}, {chunks[i].End,10:N0}): {job.Result,7} primes on {job.Silo} in {job.Elapsed.TotalSeconds:0.00} s");
                total += job.Result;
            }
            return total;
        }

        var clock = Stopwatch.StartNew();
        long primes = Aio.Run(Main());
        output.WriteLine($"OrleansExecutor over 2 silos: {primes} primes below {Chunks * Size:N0} in {clock.Elapsed.TotalSeconds:0.00} s");
        host.StopAsync().Wait(TimeSpan.FromSeconds(10));
    }

    private static void KillAll(List<Process> silos)
    {
        foreach (Process silo in silos)
        {
            try
            {
                silo.Kill(entireProcessTree: true);
                silo.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }
}
