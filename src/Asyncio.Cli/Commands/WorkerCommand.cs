using System.CommandLine;
using System.Diagnostics;
using System.Net;
using Asyncio.Orleans;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;

namespace Asyncio.Cli.Commands;

/// <summary>
/// <c>aio worker --cluster localhost --assembly Jobs.dll</c>: a silo that runs <see cref="OrleansExecutor"/> jobs from
/// the given assemblies, on development clustering (every silo on 127.0.0.1, the first one the primary), until Ctrl-C
/// or SIGTERM. It prints one <c>silo NAME ready ...</c> line once it serves, which the cluster demo and tests wait for.
/// </summary>
internal static class WorkerCommand
{
    /// <summary>The command's usage line.</summary>
    public const string Usage = "aio worker --cluster <dev|localhost> [--silo-port N --gateway-port N --primary host:port] --assembly path.dll...";

    /// <summary>The parsed options.</summary>
    /// <param name="SiloPort">The silo-to-silo port.</param>
    /// <param name="GatewayPort">The port clients connect to.</param>
    /// <param name="Primary">The primary silo's endpoint; null when this silo is the primary.</param>
    /// <param name="Name">The silo's name, in the jobs' replies and errors.</param>
    /// <param name="MaxJobs">The most jobs run at once.</param>
    /// <param name="Assemblies">The job assemblies.</param>
    /// <param name="ParentId">A process whose end stops this silo (the demo's), or null.</param>
    internal sealed record Options(int SiloPort, int GatewayPort, IPEndPoint? Primary, string Name, int MaxJobs, string[] Assemblies, int? ParentId);

    /// <summary>Builds the command (System.CommandLine).</summary>
    public static Command Create()
    {
        var cluster = new Option<string>("--cluster") { Description = "The clustering: dev or localhost (both: every silo on 127.0.0.1).", Required = true };
        cluster.AcceptOnlyFromAmong("dev", "localhost");
        var siloPort = new Option<int>("--silo-port") { Description = "The silo-to-silo port.", DefaultValueFactory = _ => 11111, HelpName = "N" };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "The port clients connect to.", DefaultValueFactory = _ => 30000, HelpName = "N" };
        var primary = new Option<string?>("--primary") { Description = "host:port of the primary silo's silo port (default: this silo is the primary).", HelpName = "host:port" };
        primary.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && !IPEndPoint.TryParse(result.Tokens[0].Value, out _)) result.AddError($"--primary: not host:port: {result.Tokens[0].Value}");
        });
        var name = new Option<string?>("--name") { Description = "The silo's name (default: silo-PORT)." };
        var maxJobs = new Option<int>("--max-jobs") { Description = "The most jobs run at once (default: the number of processors).", DefaultValueFactory = _ => Environment.ProcessorCount, HelpName = "N" };
        var assemblies = new Option<string[]>("--assembly") { Description = "A job assembly (repeat for more).", AllowMultipleArgumentsPerToken = true, HelpName = "path.dll" };
        var parent = new Option<int?>("--parent-pid") { Description = "Stop when this process ends.", Hidden = true };
        var command = new AioCommand("worker", "An Orleans silo that runs OrleansExecutor jobs (until Ctrl-C).", Usage)
        {
            cluster, siloPort, gatewayPort, primary, name, maxJobs, assemblies, parent,
        };
        command.SetAction(result =>
        {
            string? primaryText = result.GetValue(primary);
            var options = new Options(
                result.GetValue(siloPort), result.GetValue(gatewayPort), primaryText is null ? null : IPEndPoint.Parse(primaryText),
                result.GetValue(name) ?? $"silo-{result.GetValue(siloPort)}", result.GetValue(maxJobs), result.GetValue(assemblies) ?? [],
                result.GetValue(parent));
            return Serve(options, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error);
        });
        return command;
    }

    /// <summary>Starts an <c>aio worker</c> process (the same <c>aio</c> as this one), its output read by the caller.</summary>
    /// <param name="options">The worker's options; <see cref="Options.ParentId"/> is set to this process.</param>
    internal static Process Launch(Options options)
    {
        var start = new ProcessStartInfo(WorkerLauncher.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(WorkerCommand).Assembly.Location);
        foreach (string arg in (string[])["worker", "--cluster", "localhost", "--silo-port", $"{options.SiloPort}", "--gateway-port", $"{options.GatewayPort}",
                     "--name", options.Name, "--max-jobs", $"{options.MaxJobs}", "--parent-pid", $"{Environment.ProcessId}"])
        {
            start.ArgumentList.Add(arg);
        }
        if (options.Primary is not null) start.ArgumentList.Add("--primary");
        if (options.Primary is not null) start.ArgumentList.Add(options.Primary.ToString());
        foreach (string assembly in options.Assemblies)
        {
            start.ArgumentList.Add("--assembly");
            start.ArgumentList.Add(assembly);
        }
        return Process.Start(start) ?? throw new InvalidOperationException("the worker process did not start");
    }

    /// <summary>Waits for a launched worker's ready line; throws with its error output if it exits or times out first.</summary>
    internal static void WaitReady(Process worker, TimeSpan timeout)
    {
        Task<string?> line = Task.Run(async () =>
        {
            while (await worker.StandardOutput.ReadLineAsync() is { } text)
            {
                if (text.StartsWith("silo ", StringComparison.Ordinal) && text.Contains(" ready", StringComparison.Ordinal)) return text;
            }
            return null;
        });
        if (!line.Wait(timeout) || line.Result is null)
        {
            try
            {
                worker.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            throw new InvalidOperationException($"the worker did not start: {worker.StandardError.ReadToEnd()}");
        }
        // The rest of its output is not needed: drain it so the worker never blocks on a full pipe.
        _ = worker.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        _ = worker.StandardError.BaseStream.CopyToAsync(Stream.Null);
    }

    /// <summary>A free TCP port on 127.0.0.1 (for a worker's ports).</summary>
    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int Serve(Options options, TextWriter output, TextWriter error)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Orleans warns about the machine (no server GC, a slow start) on a busy laptop: only its errors are worth a line here.
        builder.Logging.AddFilter("Orleans", LogLevel.Error);
        IHost host;
        try
        {
            builder.UseOrleans(silo =>
            {
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, options.Primary);
                silo.Configure<SiloOptions>(o => o.SiloName = options.Name);
                silo.AddAsyncioWorkers(o =>
                {
                    o.MaxConcurrentJobs = options.MaxJobs;
                    foreach (string assembly in options.Assemblies) o.JobAssemblies.Add(assembly);
                });
            });
            host = builder.Build();
            host.Start();
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException or ArgumentException)
        {
            // A job assembly that cannot be loaded stops the silo before it serves: say which, as a usage error.
            error.WriteLine($"aio worker: error: {e.Message}");
            return Program.UsageExitCode;
        }
        using IHost running = host;
        output.WriteLine($"silo {options.Name} ready: silo port {options.SiloPort}, gateway port {options.GatewayPort}, {options.MaxJobs} job(s) at once");
        output.Flush();
        if (options.ParentId is int parent) StopWithParent(parent, host.Services.GetRequiredService<IHostApplicationLifetime>());
        host.WaitForShutdown();
        return 0;
    }

    /// <summary>Stops the silo when <paramref name="parentId"/> ends (checked every 0.2 s): a demo's silos never outlive it.</summary>
    private static void StopWithParent(int parentId, IHostApplicationLifetime lifetime)
    {
        var watch = new Thread(() =>
        {
            while (IsAlive(parentId)) Thread.Sleep(200);
            lifetime.StopApplication();
        }) { IsBackground = true, Name = "aio-worker-parent-watch" };
        watch.Start();
    }

    private static bool IsAlive(int id)
    {
        try
        {
            using var process = Process.GetProcessById(id);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
