using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.Json;

namespace Asyncio;

/// <summary>
/// The worker side of a <see cref="ProcessPoolExecutor"/>: reads calls from standard input, runs them,
/// writes replies to standard output, and exits when standard input closes or, even in the middle of a job, when
/// the process that started it is gone (<see cref="ParentWatchdog"/>). What the jobs write to the
/// console is forwarded to the parent as <see cref="OutputReply"/> messages, so it cannot corrupt the protocol.
/// </summary>
internal static class ProcessWorkerHost
{
    /// <summary>Directories of the assemblies loaded for jobs, where their dependencies are looked for.</summary>
    private static readonly ConcurrentDictionary<string, AssemblyDependencyResolver?> s_resolvers = new();

    /// <summary>Entry point, called by the trampoline <c>aio-worker.dll</c> (see <see cref="WorkerLauncher"/>).</summary>
    /// <param name="args">The path of Asyncio.dll (used by the trampoline), then the process id of the pool's process.</param>
    public static int Main(string[] args)
    {
        // First of all: from here on, the worker does not outlive the program that started it.
        ParentWatchdog.Start(int.Parse(args[1], CultureInfo.InvariantCulture));
        Stream input = Console.OpenStandardInput();
        Stream output = Console.OpenStandardOutput();
        var gate = new object();
        Console.SetOut(new ForwardingWriter(output, gate));
        try
        {
            while (WorkerProtocol.Read(input) is { } frame)
            {
                WorkReply reply = Run(WorkerProtocol.Decode<WorkRequest>(frame));
                Console.Out.Flush();
                lock (gate) WorkerProtocol.Write(output, WorkerProtocol.Encode(reply));
            }
        }
        catch (IOException)
        {
            // The reply could not be written: the parent has gone (the watchdog would end this process in a moment).
            // Ending quietly keeps an unhandled-exception report off the standard error it shared with the parent.
        }
        return 0;
    }

    private static WorkReply Run(WorkRequest request)
    {
        try
        {
            Assembly assembly = Load(request.Assembly);
            return Invoke((MethodInfo)assembly.ManifestModule.ResolveMethod(request.Token)!, request.Args);
        }
        catch (Exception error)
        {
            return Error(error);
        }
    }

    /// <summary>
    /// Runs a job's method with its JSON arguments and returns the reply: its JSON result, or the exception it (or
    /// the arguments' deserialization) threw. Shared with the other hosts of out-of-process jobs (a cluster's silos).
    /// </summary>
    /// <param name="method">A static method, as <see cref="ProcessPoolExecutor.CheckJob"/> accepts.</param>
    /// <param name="args">One JSON value per parameter.</param>
    internal static WorkReply Invoke(MethodInfo method, JsonElement[] args)
    {
        try
        {
            ParameterInfo[] parameters = method.GetParameters();
            if (args.Length != parameters.Length)
            {
                throw new ArgumentException($"{method.Name} takes {parameters.Length} argument(s), the job carries {args.Length}.");
            }
            var values = new object?[parameters.Length];
            for (int i = 0; i < values.Length; i++) values[i] = args[i].Deserialize(parameters[i].ParameterType);
            object? result;
            try
            {
                result = method.Invoke(null, values);
            }
            catch (TargetInvocationException wrapped) when (wrapped.InnerException is not null)
            {
                return Error(wrapped.InnerException);
            }
            JsonElement? value = method.ReturnType == typeof(void) ? null : JsonSerializer.SerializeToElement(result, method.ReturnType);
            return new ResultReply(value);
        }
        catch (Exception error)
        {
            return Error(error);
        }
    }

    /// <summary>The reply that carries <paramref name="error"/> back as a <see cref="RemoteException"/>.</summary>
    internal static ErrorReply Error(Exception error) =>
        new(error.GetType().FullName ?? error.GetType().Name, error.Message, error.StackTrace);

    /// <summary>Hooks <see cref="Resolve"/> into the default load context, once per process.</summary>
    private static readonly Lazy<bool> s_resolving = new(static () =>
    {
        AssemblyLoadContext.Default.Resolving += Resolve;
        return true;
    });

    /// <summary>
    /// Loads a job's assembly by path into the default context; its dependencies are found through its
    /// <c>.deps.json</c> when it has one, else next to it. Shared with the cluster's silos, which load their job assemblies so.
    /// </summary>
    internal static Assembly Load(string path)
    {
        _ = s_resolving.Value;
        s_resolvers.GetOrAdd(path, static p => File.Exists(Path.ChangeExtension(p, ".deps.json")) ? new AssemblyDependencyResolver(p) : null);
        return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
    }

    /// <summary>Finds a dependency of a job's assembly: through its deps.json when it has one, else next to it.</summary>
    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        foreach ((string path, AssemblyDependencyResolver? resolver) in s_resolvers)
        {
            string? candidate = resolver?.ResolveAssemblyToPath(name);
            if (candidate is null)
            {
                string local = Path.Combine(Path.GetDirectoryName(path)!, name.Name + ".dll");
                if (File.Exists(local)) candidate = local;
            }
            if (candidate is not null) return context.LoadFromAssemblyPath(candidate);
        }
        return null;
    }

    /// <summary>Console.Out of a worker: sends each flushed chunk to the parent as an <see cref="OutputReply"/>.</summary>
    private sealed class ForwardingWriter(Stream output, object gate) : TextWriter
    {
        private readonly StringBuilder _pending = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_pending)
            {
                _pending.Append(value);
                if (value == '\n') FlushLocked();
            }
        }

        public override void Write(string? value)
        {
            if (value is null) return;
            lock (_pending)
            {
                _pending.Append(value);
                if (value.EndsWith('\n')) FlushLocked();
            }
        }

        public override void Flush()
        {
            lock (_pending) FlushLocked();
        }

        private void FlushLocked()
        {
            if (_pending.Length == 0) return;
            byte[] frame = WorkerProtocol.Encode(new OutputReply(_pending.ToString()));
            _pending.Clear();
            lock (gate) WorkerProtocol.Write(output, frame);
        }
    }
}
