using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Asyncio;

/// <summary>
/// Starts the worker processes of a <see cref="ProcessPoolExecutor"/> from any program (an app, a test host,
/// a benchmark): <c>dotnet aio-worker.dll &lt;path of Asyncio.dll&gt; &lt;parent process id&gt;</c>, where <c>aio-worker.dll</c> is a
/// tiny program this class writes once into the temp directory. Its only code loads Asyncio.dll by path and
/// calls <see cref="ProcessWorkerHost.Main"/>, which loads the job's assembly by path in turn.
/// </summary>
/// <remarks>
/// Why not re-launch the entry program in a "worker mode": under a test host or any host that owns
/// <c>Main</c>, the entry program is not ours to re-launch. A library cannot be run by <c>dotnet</c> (it has
/// no entry point), hence the trampoline, emitted with <see cref="PersistedAssemblyBuilder"/> so no extra
/// file has to ship with the package.
/// </remarks>
internal static class WorkerLauncher
{
    private const string WorkerName = "aio-worker";

    /// <summary>Changes whenever the trampoline or its runtimeconfig changes, so an old copy in the temp directory is not reused.</summary>
    private const int TrampolineVersion = 2;

    private static readonly Lazy<string> s_trampoline = new(WriteTrampoline);

    /// <summary>How to start one worker process.</summary>
    public static ProcessStartInfo StartInfo()
    {
        string asyncio = typeof(WorkerLauncher).Assembly.Location;
        if (string.IsNullOrEmpty(asyncio))
        {
            throw new PlatformNotSupportedException("ProcessPoolExecutor needs Asyncio.dll on disk (not single-file or native AOT).");
        }
        var info = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            CreateNoWindow = true,
        };
        info.ArgumentList.Add(s_trampoline.Value);
        info.ArgumentList.Add(asyncio);
        // The worker watches this process and exits when it is gone (ParentWatchdog).
        info.ArgumentList.Add(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        return info;
    }

    /// <summary>The <c>dotnet</c> executable that runs this process, or the one next to the running runtime.</summary>
    internal static string DotnetHost()
    {
        string exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } self && Path.GetFileName(self) == exe) return self;
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        // The runtime lives in <root>/shared/Microsoft.NETCore.App/<version>/; dotnet is in <root>.
        string? runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location);
        string? root = runtimeDir is null ? null : Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        if (root is not null && File.Exists(Path.Combine(root, exe))) return Path.Combine(root, exe);
        return exe;
    }

    /// <summary>Writes <c>aio-worker.dll</c> and its runtimeconfig once per runtime version; returns the dll's path.</summary>
    private static string WriteTrampoline()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"asyncio-worker-{TrampolineVersion}-{Environment.Version}");
        string dll = Path.Combine(dir, WorkerName + ".dll");
        string config = Path.Combine(dir, WorkerName + ".runtimeconfig.json");
        if (File.Exists(dll) && File.Exists(config)) return dll;
        Directory.CreateDirectory(dir);
        string version = $"{Environment.Version.Major}.{Environment.Version.Minor}.{Environment.Version.Build}";
        string tfm = $"net{Environment.Version.Major}.{Environment.Version.Minor}";
        // Jobs are few calls of long loops: compile methods with loops optimized at once instead of waiting for
        // tiering (on-stack replacement), which a worker that runs a method a handful of times never outgrows.
        string json = "{\"runtimeOptions\":{\"tfm\":\"" + tfm + "\",\"framework\":{\"name\":\"Microsoft.NETCore.App\",\"version\":\""
            + version + "\"},\"configProperties\":{\"System.Runtime.TieredCompilation.QuickJitForLoops\":false}}}";
        WriteAtomically(config, System.Text.Encoding.UTF8.GetBytes(json));
        WriteAtomically(dll, EmitTrampoline());
        return dll;
    }

    /// <summary>Writes to a private file, then renames: other processes never see half a file.</summary>
    private static void WriteAtomically(string path, byte[] content)
    {
        string temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temp, content);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>
    /// <c>static int Main(string[] args) =&gt; (int)Assembly.LoadFrom(args[0]).GetType("Asyncio.ProcessWorkerHost", true)
    /// .GetMethod("Main").Invoke(null, new object[] { args });</c>
    /// </summary>
    private static byte[] EmitTrampoline()
    {
        var assembly = new PersistedAssemblyBuilder(new AssemblyName(WorkerName), typeof(object).Assembly);
        TypeBuilder program = assembly.DefineDynamicModule(WorkerName).DefineType("Program", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Abstract);
        MethodBuilder main = program.DefineMethod("Main", MethodAttributes.Public | MethodAttributes.Static, typeof(int), [typeof(string[])]);
        ILGenerator il = main.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ldelem_Ref);
        il.Emit(OpCodes.Call, typeof(Assembly).GetMethod(nameof(Assembly.LoadFrom), [typeof(string)])!);
        il.Emit(OpCodes.Ldstr, typeof(ProcessWorkerHost).FullName!);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Callvirt, typeof(Assembly).GetMethod(nameof(Assembly.GetType), [typeof(string), typeof(bool)])!);
        il.Emit(OpCodes.Ldstr, nameof(ProcessWorkerHost.Main));
        il.Emit(OpCodes.Callvirt, typeof(Type).GetMethod(nameof(Type.GetMethod), [typeof(string)])!);
        il.Emit(OpCodes.Ldnull);
        il.Emit(OpCodes.Ldc_I4_1);
        il.Emit(OpCodes.Newarr, typeof(object));
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Stelem_Ref);
        il.Emit(OpCodes.Callvirt, typeof(MethodBase).GetMethod(nameof(MethodBase.Invoke), [typeof(object), typeof(object[])])!);
        il.Emit(OpCodes.Unbox_Any, typeof(int));
        il.Emit(OpCodes.Ret);
        program.CreateType();

        MetadataBuilder metadata = assembly.GenerateMetadata(out BlobBuilder ilStream, out BlobBuilder fieldData);
        var pe = new ManagedPEBuilder(
            header: new PEHeaderBuilder(imageCharacteristics: Characteristics.ExecutableImage),
            metadataRootBuilder: new MetadataRootBuilder(metadata),
            ilStream: ilStream,
            mappedFieldData: fieldData,
            entryPoint: MetadataTokens.MethodDefinitionHandle(main.MetadataToken));
        var blob = new BlobBuilder();
        pe.Serialize(blob);
        return blob.ToArray();
    }
}
