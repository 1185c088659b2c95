using BenchmarkDotNet.Running;

namespace Asyncio.Bench;

/// <summary>
/// <c>Asyncio.Bench NAME --runtime aio|tp|st [--key value ...]</c>: runs one workload once and prints one
/// JSON line. <c>Asyncio.Bench --bdn [BenchmarkDotNet args]</c>: runs the BenchmarkDotNet suite.
/// <c>Asyncio.Bench --list</c>: lists the workloads as <c>NAME RUNTIME [VARIANT,VARIANT...]</c>.
/// <c>Asyncio.Bench echo-server --server S</c>: runs one of W6's echo servers (see <see cref="Echo.EchoServers"/>).
/// <c>Asyncio.Bench http-server</c> / <c>http-client</c>: H1/H2's server and clients (see <see cref="Http.HttpBench"/>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--bdn")
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
            return 0;
        }
        if (args.Length > 0 && args[0] == Echo.EchoServers.Command) return Echo.EchoServers.Run(args);
        if (args.Length > 0 && args[0] == Http.HttpBench.ServerCommand) return Http.HttpBench.Serve(args);
        if (args.Length > 0 && args[0] == Http.HttpBench.ClientCommand) return Http.HttpBench.Client(args);
        if (args.Length == 0 || args[0] == "--list")
        {
            foreach (var (name, rt) in WorkloadRegistry.All.Keys.OrderBy(k => k.Name).ThenBy(k => k.Runtime))
            {
                // A third column, when present, lists the workload's --variant values.
                Console.WriteLine(WorkloadRegistry.Variants.TryGetValue((name, rt), out var variants)
                    ? $"{name} {rt} {variants}"
                    : $"{name} {rt}");
            }
            return 0;
        }
        string workload = args[0];
        var options = new Dictionary<string, string>();
        for (int i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument {args[i]}");
            string key = args[i][2..];
            options[key] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
        }
        var benchArgs = new BenchArgs(options);
        string runtime = benchArgs.String("runtime", Runtimes.Aio);
        if (!WorkloadRegistry.All.TryGetValue((workload, runtime), out var method))
        {
            Console.Error.WriteLine($"no workload {workload} for runtime {runtime} (see --list)");
            return 2;
        }
        var result = (Measurement)method.Invoke(null, [benchArgs])!;
        Console.WriteLine(result.ToJson(workload, runtime));
        return 0;
    }
}
