namespace Asyncio.Orleans;

/// <summary>How a silo runs executor jobs (<see cref="AsyncioSiloBuilderExtensions.AddAsyncioWorkers"/>).</summary>
public sealed class AsyncioWorkerOptions
{
    /// <summary>
    /// The most jobs the silo runs at once, each on a thread of its own; the others wait in the silo's queue
    /// (where a cancelled job is dropped). Default: the number of processors, as <see cref="ProcessPoolExecutor"/>.
    /// </summary>
    public int MaxConcurrentJobs { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Paths of the assemblies whose static methods the silo runs, loaded when the silo starts. Assemblies the silo's
    /// process has loaded anyway (its own, those it references) need not be listed.
    /// </summary>
    public IList<string> JobAssemblies { get; } = new List<string>();
}
