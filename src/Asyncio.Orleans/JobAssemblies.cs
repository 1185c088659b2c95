using System.Reflection;

namespace Asyncio.Orleans;

/// <summary>
/// The assemblies a silo runs jobs from: those named in <see cref="AsyncioWorkerOptions.JobAssemblies"/> (loaded at
/// start) and any other the silo's process has loaded. A job names its assembly by identity and build, never by path:
/// the client's path means nothing on another machine.
/// </summary>
internal sealed class JobAssemblies
{
    /// <param name="paths">The job assemblies to load now.</param>
    /// <exception cref="FileNotFoundException">A path does not exist.</exception>
    public JobAssemblies(IEnumerable<string> paths)
    {
        foreach (string path in paths)
        {
            string full = Path.GetFullPath(path);
            if (!File.Exists(full)) throw new FileNotFoundException($"The job assembly {full} does not exist.", full);
            ProcessWorkerHost.Load(full);
        }
    }

    /// <summary>The method a job names.</summary>
    /// <exception cref="FileNotFoundException">No assembly of that identity is loaded on this silo.</exception>
    /// <exception cref="FileLoadException">The silo has another build of that assembly (same identity, other module version id).</exception>
    public static MethodInfo Resolve(JobCall call, string silo)
    {
        Assembly? match = null;
        foreach (Assembly assembly in AppDomain.CurrentDomain.GetAssemblies())
        {
            if (!assembly.IsDynamic && assembly.FullName == call.Assembly)
            {
                match = assembly;
                if (assembly.ManifestModule.ModuleVersionId == call.Build) break;
            }
        }
        if (match is null)
        {
            throw new FileNotFoundException(
                $"The job assembly '{call.Assembly}' (for {call.Method}) is not loaded on silo {silo}: give it to the silo " +
                "(aio worker --assembly PATH, or AsyncioWorkerOptions.JobAssemblies).", call.Assembly);
        }
        if (match.ManifestModule.ModuleVersionId != call.Build)
        {
            throw new FileLoadException(
                $"Silo {silo} has another build of the job assembly '{call.Assembly}' (for {call.Method}): deploy the client's build " +
                "to every silo, or give each build its own assembly version.", call.Assembly);
        }
        return (MethodInfo)match.ManifestModule.ResolveMethod(call.Token)!;
    }
}
