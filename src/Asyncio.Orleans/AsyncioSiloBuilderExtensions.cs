using Microsoft.Extensions.DependencyInjection;
using Orleans;
using Orleans.Hosting;
using Orleans.Runtime;

namespace Asyncio.Orleans;

/// <summary>Makes a silo run the jobs of <see cref="OrleansExecutor"/>s.</summary>
public static class AsyncioSiloBuilderExtensions
{
    /// <summary>
    /// Lets this silo run executor jobs: adds the job grain and the silo's bounded job runner, and loads the job
    /// assemblies of <paramref name="configure"/>. Call it on every silo of the cluster.
    /// <para>asyncio: none (the cluster side of a <c>ProcessPoolExecutor</c>'s worker processes).</para>
    /// </summary>
    /// <param name="builder">The silo.</param>
    /// <param name="configure">Sets the concurrency limit and the job assemblies; null for the defaults.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="AsyncioWorkerOptions.MaxConcurrentJobs"/> is zero or less.</exception>
    /// <exception cref="FileNotFoundException">A job assembly does not exist (other load errors are thrown as the runtime reports them).</exception>
    public static ISiloBuilder AddAsyncioWorkers(this ISiloBuilder builder, Action<AsyncioWorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new AsyncioWorkerOptions();
        configure?.Invoke(options);
        if (options.MaxConcurrentJobs <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), options.MaxConcurrentJobs, "MaxConcurrentJobs must be greater than 0");
        }
        // Loaded now, so a bad path stops the silo at start rather than failing every job later.
        var assemblies = new JobAssemblies(options.JobAssemblies);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(assemblies);
        builder.Services.AddSingleton<SiloJobRunner>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services => services.GetRequiredService<SiloJobRunner>());
        return builder;
    }
}
