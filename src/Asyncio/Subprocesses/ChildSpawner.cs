using System.Collections;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Asyncio;

/// <summary>A child just started: its pid, and the parent's ends of the pipes asked for (non-blocking, close-on-exec).</summary>
internal readonly record struct SpawnedChild(int Pid, SafeFileHandle? Stdin, SafeFileHandle? Stdout, SafeFileHandle? Stderr);

/// <summary>
/// Starts a child with <c>posix_spawn</c>: its standard streams wired as asked (a new pipe, <c>/dev/null</c>,
/// stderr into stdout, a descriptor of ours, or inherited), every other descriptor closed, its signals at their
/// defaults and none blocked (asyncio: <c>subprocess.Popen</c> with <c>close_fds=True</c>, <c>restore_signals=True</c>).
/// </summary>
/// <remarks>
/// <para>Every descriptor this makes is close-on-exec from the start (<c>pipe2(O_CLOEXEC)</c>, <c>F_DUPFD_CLOEXEC</c>),
/// so a child another thread starts meanwhile (a <see cref="System.Diagnostics.Process"/>, another loop's
/// subprocess) inherits none of them; the child's own ends reach it only through the <c>dup2</c> file actions,
/// which clear the flag on the copies at 0, 1 and 2. glibc's <c>addclosefrom_np</c> also closes whatever else is
/// open at 3 and above, in case some library opened a descriptor without the flag.</para>
/// <para>The runtime ignores SIGPIPE; a child would inherit that, and a shell pipeline such as <c>yes | head</c>
/// would then never end. Resetting every signal to its default action avoids it, as CPython does.</para>
/// <para>The program is looked up here, in the <c>PATH</c> of the environment the child gets (CPython's rule), not by
/// <c>posix_spawnp</c>: .NET keeps its own copy of the environment, which the C library does not see.</para>
/// </remarks>
internal static class ChildSpawner
{
    /// <summary>access(2): may execute.</summary>
    private const int X_OK = 1;

    /// <summary>Set once glibc turned out to lack <c>posix_spawn_file_actions_addclosefrom_np</c> (before 2.34).</summary>
    private static bool s_noCloseFrom;

    /// <summary>Starts <paramref name="program"/> with <paramref name="args"/>.</summary>
    /// <exception cref="FileNotFoundException">The program was not found.</exception>
    /// <exception cref="DirectoryNotFoundException"><paramref name="cwd"/> does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The program may not be executed.</exception>
    /// <exception cref="IOException">Any other failure to start it.</exception>
    public static SpawnedChild Spawn(string program, IReadOnlyList<string> args, int? stdin, int? stdout, int? stderr,
        string? cwd, IReadOnlyDictionary<string, string>? env)
    {
        if (!OperatingSystem.IsLinux()) throw new PlatformNotSupportedException("Subprocesses need Linux (posix_spawn, pidfd).");
        string[] environment = EnvironmentBlock(env);
        if (cwd is not null && !Directory.Exists(cwd)) throw new DirectoryNotFoundException($"No such file or directory: '{cwd}'");
        string path = Resolve(program, env);

        var toClose = new List<SafeFileHandle>();   // the child's ends and duplicates: closed here once it has them
        SafeFileHandle? stdinParent = null, stdoutParent = null, stderrParent = null;
        nint actions = Marshal.AllocHGlobal(SpawnNative.OpaqueStructSize);
        nint attributes = Marshal.AllocHGlobal(SpawnNative.OpaqueStructSize);
        nint signals = Marshal.AllocHGlobal(SpawnNative.OpaqueStructSize);
        nint[] argv = [], envp = [];
        bool started = false;
        try
        {
            Check(SpawnNative.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            Check(SpawnNative.posix_spawnattr_init(attributes), "posix_spawnattr_init");
            stdinParent = Wire(actions, 0, stdin, toClose);
            stdoutParent = Wire(actions, 1, stdout, toClose);
            stderrParent = Wire(actions, 2, stderr, toClose);
            CloseTheRest(actions);
            if (cwd is not null) Check(SpawnNative.posix_spawn_file_actions_addchdir_np(actions, cwd), "posix_spawn_file_actions_addchdir_np");
            ResetSignals(attributes, signals);
            argv = NativeStrings([program, .. args]);
            envp = NativeStrings(environment);
            int error = SpawnNative.posix_spawn(out int pid, path, actions, attributes, argv, envp);
            if (error != 0) throw SpawnError(error, program);
            started = true;
            return new SpawnedChild(pid, stdinParent, stdoutParent, stderrParent);
        }
        finally
        {
            foreach (SafeFileHandle handle in toClose) handle.Dispose();
            if (!started)
            {
                stdinParent?.Dispose();
                stdoutParent?.Dispose();
                stderrParent?.Dispose();
            }
            FreeStrings(argv);
            FreeStrings(envp);
            _ = SpawnNative.posix_spawn_file_actions_destroy(actions);
            _ = SpawnNative.posix_spawnattr_destroy(attributes);
            Marshal.FreeHGlobal(actions);
            Marshal.FreeHGlobal(attributes);
            Marshal.FreeHGlobal(signals);
        }
    }

    /// <summary>
    /// Adds the file actions that give the child its descriptor <paramref name="target"/>; returns the parent's end
    /// of a new pipe when <paramref name="how"/> is <see cref="Subprocess.Pipe"/>.
    /// </summary>
    private static SafeFileHandle? Wire(nint actions, int target, int? how, List<SafeFileHandle> toClose)
    {
        switch (how)
        {
            case null:
                return null;   // inherited
            case Subprocess.DevNull:
                Check(SpawnNative.posix_spawn_file_actions_addopen(actions, target, "/dev/null", SpawnNative.O_RDWR, 0),
                    "posix_spawn_file_actions_addopen");
                return null;
            case Subprocess.Stdout:
                Check(SpawnNative.posix_spawn_file_actions_adddup2(actions, 1, target), "posix_spawn_file_actions_adddup2");
                return null;
            case Subprocess.Pipe:
                var (readEnd, writeEnd) = NewPipe();
                bool childReads = target == 0;
                SafeFileHandle childEnd = childReads ? readEnd : writeEnd, parentEnd = childReads ? writeEnd : readEnd;
                toClose.Add(childEnd);
                try
                {
                    SetNonBlocking(parentEnd);
                }
                catch
                {
                    parentEnd.Dispose();
                    throw;
                }
                Check(SpawnNative.posix_spawn_file_actions_adddup2(actions, (int)childEnd.DangerousGetHandle(), target),
                    "posix_spawn_file_actions_adddup2");
                return parentEnd;
            default:
                // A descriptor of ours. Copied above 2 first, so that wiring one stream cannot overwrite the
                // descriptor another stream is about to be copied from (stdin=Pipe with stdout=0, say).
                int copy = SpawnNative.fcntl(how.Value, SpawnNative.F_DUPFD_CLOEXEC, 3);
                if (copy < 0) throw new ArgumentException($"Descriptor {how.Value} cannot be given to the child: " +
                    SpawnNative.Error("fcntl", Marshal.GetLastPInvokeError()).Message, target switch { 0 => "stdin", 1 => "stdout", _ => "stderr" });
                var duplicate = new SafeFileHandle(copy, ownsHandle: true);
                toClose.Add(duplicate);
                Check(SpawnNative.posix_spawn_file_actions_adddup2(actions, copy, target), "posix_spawn_file_actions_adddup2");
                return null;
        }
    }

    /// <summary>A new pipe, both ends close-on-exec.</summary>
    private static (SafeFileHandle Read, SafeFileHandle Write) NewPipe()
    {
        int[] fds = new int[2];
        if (SpawnNative.pipe2(ref fds[0], SpawnNative.O_CLOEXEC) != 0) throw SpawnNative.Error("pipe2", Marshal.GetLastPInvokeError());
        return (new SafeFileHandle(fds[0], ownsHandle: true), new SafeFileHandle(fds[1], ownsHandle: true));
    }

    /// <summary>
    /// Only the parent's end: <c>O_NONBLOCK</c> belongs to the open pipe, which the child's end does not share, and
    /// a child handed a non-blocking stdin or stdout would fail its reads and writes with EAGAIN.
    /// </summary>
    internal static void SetNonBlocking(SafeFileHandle handle)
    {
        if (!LinuxNative.TrySetNonBlocking(handle)) throw SpawnNative.Error("fcntl", Marshal.GetLastPInvokeError());
    }

    private static void CloseTheRest(nint actions)
    {
        if (s_noCloseFrom) return;
        try
        {
            Check(SpawnNative.posix_spawn_file_actions_addclosefrom_np(actions, 3), "posix_spawn_file_actions_addclosefrom_np");
        }
        catch (EntryPointNotFoundException)
        {
            // An older glibc: close-on-exec, which every descriptor of the runtime and of this layer has, must do.
            s_noCloseFrom = true;
        }
    }

    /// <summary>Every signal at its default action, none blocked.</summary>
    private static void ResetSignals(nint attributes, nint signals)
    {
        _ = SpawnNative.sigfillset(signals);
        Check(SpawnNative.posix_spawnattr_setsigdefault(attributes, signals), "posix_spawnattr_setsigdefault");
        _ = SpawnNative.sigemptyset(signals);
        Check(SpawnNative.posix_spawnattr_setsigmask(attributes, signals), "posix_spawnattr_setsigmask");
        Check(SpawnNative.posix_spawnattr_setflags(attributes, SpawnNative.POSIX_SPAWN_SETSIGDEF | SpawnNative.POSIX_SPAWN_SETSIGMASK),
            "posix_spawnattr_setflags");
    }

    /// <summary>
    /// The executable: a name with a slash as it is (relative to the child's working directory, where it is
    /// executed), else the first executable file of that name in the <c>PATH</c> of the child's environment.
    /// </summary>
    private static string Resolve(string program, IReadOnlyDictionary<string, string>? env)
    {
        // posix_spawn changes directory before it executes: a relative path is found from cwd, as in CPython.
        if (program.Contains('/')) return program;
        string? searchPath = env is null ? Environment.GetEnvironmentVariable("PATH")
            : env.TryGetValue("PATH", out string? p) ? p : null;
        searchPath ??= "/bin:/usr/bin";   // CPython's os.defpath
        foreach (string dir in searchPath.Split(':'))
        {
            string candidate = Path.Combine(dir.Length == 0 ? "." : dir, program);
            if (File.Exists(candidate) && SpawnNative.access(candidate, X_OK) == 0) return candidate;
        }
        throw new FileNotFoundException($"No such file or directory: '{program}'", program);
    }

    /// <summary>The child's environment as <c>NAME=value</c> strings: <paramref name="env"/>, or this process's (as .NET sees it).</summary>
    private static string[] EnvironmentBlock(IReadOnlyDictionary<string, string>? env)
    {
        if (env is not null)
        {
            return env.Select(pair =>
            {
                if (pair.Key.Length == 0 || pair.Key.Contains('=') || pair.Key.Contains('\0') || pair.Value.Contains('\0'))
                    throw new ArgumentException($"invalid environment variable: '{pair.Key}'", nameof(env));
                return $"{pair.Key}={pair.Value}";
            }).ToArray();
        }
        var block = new List<string>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables()) block.Add($"{entry.Key}={entry.Value}");
        return [.. block];
    }

    /// <summary>A null-terminated array of UTF-8 C strings, freed by <see cref="FreeStrings"/>.</summary>
    private static nint[] NativeStrings(IReadOnlyList<string> strings)
    {
        var native = new nint[strings.Count + 1];
        for (int i = 0; i < strings.Count; i++) native[i] = Marshal.StringToCoTaskMemUTF8(strings[i]);
        return native;
    }

    private static void FreeStrings(nint[] strings)
    {
        foreach (nint s in strings) Marshal.FreeCoTaskMem(s);   // the terminating zero frees nothing
    }

    private static void Check(int error, string call)
    {
        if (error != 0) throw SpawnNative.Error(call, error);
    }

    /// <summary>posix_spawn's error (glibc reports the child's failed exec too) as the .NET exception closest to CPython's.</summary>
    private static Exception SpawnError(int errno, string program) => errno switch
    {
        2 or 20 => new FileNotFoundException($"No such file or directory: '{program}'", program),   // ENOENT, ENOTDIR
        13 => new UnauthorizedAccessException($"Permission denied: '{program}'"),                  // EACCES
        _ => SpawnNative.Error($"posix_spawn of '{program}'", errno),
    };
}
