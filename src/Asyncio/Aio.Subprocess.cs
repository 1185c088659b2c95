namespace Asyncio;

// asyncio.create_subprocess_exec / create_subprocess_shell: a child process with its pipes as streams.
public static partial class Aio
{
    /// <summary>
    /// Starts <paramref name="program"/> with <paramref name="args"/> (no shell) and gives the running child.
    /// A name without a slash is looked up in the <c>PATH</c> of the child's environment.
    /// <para>asyncio: <c>proc = await asyncio.create_subprocess_exec(program, *args, stdin=None, stdout=None,
    /// stderr=None, limit=2**16, cwd=None, env=None)</c>.</para>
    /// </summary>
    /// <param name="program">The program: a name to look up, or a path.</param>
    /// <param name="args">Its arguments (not including the program itself), or null for none.</param>
    /// <param name="stdin">The child's standard input: <see cref="Subprocess.Pipe"/> (then <see cref="AsyncProcess.Stdin"/>),
    /// <see cref="Subprocess.DevNull"/>, a descriptor of this process, or null to inherit this process's.</param>
    /// <param name="stdout">Its standard output, likewise (<see cref="AsyncProcess.Stdout"/> with a pipe).</param>
    /// <param name="stderr">Its standard error, likewise, or <see cref="Subprocess.Stdout"/> to merge it into stdout.</param>
    /// <param name="cwd">The child's working directory, or null for this process's.</param>
    /// <param name="env">The child's whole environment, or null for this process's.</param>
    /// <param name="limit">The <see cref="AsyncStreamReader.Limit"/> of the output readers.</param>
    /// <returns>A coroutine giving the process once it runs and its pipes are connected.</returns>
    /// <exception cref="ArgumentException"><paramref name="program"/> is empty, an argument is null or holds a NUL
    /// character, or <see cref="Subprocess.Stdout"/> is given for stdin or stdout.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="program"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stream is not one of the <see cref="Subprocess"/> values, null or a
    /// descriptor; or <paramref name="limit"/> is not positive.</exception>
    /// <remarks>At the await: <see cref="FileNotFoundException"/> when the program is not found (asyncio's
    /// <c>FileNotFoundError</c>), <see cref="DirectoryNotFoundException"/> for a missing <paramref name="cwd"/>,
    /// <see cref="UnauthorizedAccessException"/> when it may not be executed, <see cref="NotSupportedException"/> on a loop
    /// whose selector cannot watch descriptors (not the epoll selector).</remarks>
    public static Coroutine<AsyncProcess> CreateSubprocessExec(string program, IEnumerable<string>? args = null,
        int? stdin = null, int? stdout = null, int? stderr = null, string? cwd = null,
        IReadOnlyDictionary<string, string>? env = null, int limit = AsyncStreamReader.DefaultLimit)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        string[] arguments = args?.ToArray() ?? [];
        CheckNoNul(program, nameof(program));
        foreach (string? argument in arguments)
        {
            if (argument is null) throw new ArgumentException("an argument is null", nameof(args));
            CheckNoNul(argument, nameof(args));
        }
        CheckSubprocessOptions(stdin, stdout, stderr, limit);
        return StartSubprocess(program, arguments, stdin, stdout, stderr, cwd, env, limit);
    }

    /// <summary>
    /// Runs <paramref name="cmd"/> with the shell (<c>/bin/sh -c cmd</c>) and gives the running child. Quote what
    /// comes from users (a shell interprets it).
    /// <para>asyncio: <c>proc = await asyncio.create_subprocess_shell(cmd, stdin=None, stdout=None, stderr=None,
    /// limit=2**16, cwd=None, env=None)</c>.</para>
    /// </summary>
    /// <param name="cmd">The command line.</param>
    /// <param name="stdin">The child's standard input, as for <see cref="CreateSubprocessExec"/>.</param>
    /// <param name="stdout">Its standard output.</param>
    /// <param name="stderr">Its standard error, or <see cref="Subprocess.Stdout"/>.</param>
    /// <param name="cwd">The shell's working directory, or null for this process's.</param>
    /// <param name="env">The shell's whole environment, or null for this process's.</param>
    /// <param name="limit">The <see cref="AsyncStreamReader.Limit"/> of the output readers.</param>
    /// <returns>A coroutine giving the process (the shell's; its <see cref="AsyncProcess.ReturnCode"/> is the command's).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cmd"/> is null (asyncio: <c>ValueError: cmd must be a string</c>).</exception>
    /// <exception cref="ArgumentException"><paramref name="cmd"/> holds a NUL character, or a stream is invalid as for <see cref="CreateSubprocessExec"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A stream value or <paramref name="limit"/> is out of range.</exception>
    /// <remarks>At the await: the exceptions of <see cref="CreateSubprocessExec"/>; a command the shell cannot find is
    /// no exception but return code 127, as in asyncio.</remarks>
    public static Coroutine<AsyncProcess> CreateSubprocessShell(string cmd, int? stdin = null, int? stdout = null,
        int? stderr = null, string? cwd = null, IReadOnlyDictionary<string, string>? env = null,
        int limit = AsyncStreamReader.DefaultLimit)
    {
        ArgumentNullException.ThrowIfNull(cmd);
        CheckNoNul(cmd, nameof(cmd));
        CheckSubprocessOptions(stdin, stdout, stderr, limit);
        return StartSubprocess("/bin/sh", ["-c", cmd], stdin, stdout, stderr, cwd, env, limit);
    }

    private static async Coroutine<AsyncProcess> StartSubprocess(string program, string[] args, int? stdin, int? stdout,
        int? stderr, string? cwd, IReadOnlyDictionary<string, string>? env, int limit) =>
        await GetRunningLoop().StartSubprocess(program, args, stdin, stdout, stderr, cwd, env, limit);

    /// <summary>C strings end at a NUL: an argument holding one would be cut short silently (Python: <c>ValueError: embedded null byte</c>).</summary>
    private static void CheckNoNul(string value, string paramName)
    {
        if (value.Contains('\0')) throw new ArgumentException("embedded null character", paramName);
    }

    private static void CheckSubprocessOptions(int? stdin, int? stdout, int? stderr, int limit)
    {
        CheckStream(stdin, nameof(stdin), mayMergeIntoStdout: false);
        CheckStream(stdout, nameof(stdout), mayMergeIntoStdout: false);
        CheckStream(stderr, nameof(stderr), mayMergeIntoStdout: true);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
    }

    private static void CheckStream(int? how, string paramName, bool mayMergeIntoStdout)
    {
        if (how == Subprocess.Stdout && !mayMergeIntoStdout)
            throw new ArgumentException("Subprocess.Stdout is valid for stderr only", paramName);
        if (how < Subprocess.DevNull)
            throw new ArgumentOutOfRangeException(paramName, how, "expected Subprocess.Pipe, DevNull, Stdout, a descriptor, or null");
    }
}
