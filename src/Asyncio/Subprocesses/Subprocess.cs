namespace Asyncio;

/// <summary>
/// What to give a child as its standard input, output or error, for the <c>stdin:</c>, <c>stdout:</c> and
/// <c>stderr:</c> arguments of <see cref="Aio.CreateSubprocessExec"/> and <see cref="Aio.CreateSubprocessShell"/>.
/// Null (the default) lets the child inherit this process's stream; a non-negative number gives it that
/// descriptor of this process.
/// <para>asyncio: <c>asyncio.subprocess.PIPE</c>, <c>STDOUT</c>, <c>DEVNULL</c> (the same values as Python's).</para>
/// </summary>
public static class Subprocess
{
    /// <summary>
    /// A new pipe, read or written by this process through <see cref="AsyncProcess.Stdin"/>,
    /// <see cref="AsyncProcess.Stdout"/> or <see cref="AsyncProcess.Stderr"/>.
    /// <para>asyncio: <c>asyncio.subprocess.PIPE</c>.</para>
    /// </summary>
    public const int Pipe = -1;

    /// <summary>
    /// For <c>stderr:</c> only: the child's standard error goes where its standard output goes.
    /// <para>asyncio: <c>asyncio.subprocess.STDOUT</c>.</para>
    /// </summary>
    public const int Stdout = -2;

    /// <summary>
    /// <c>/dev/null</c>: the child reads EOF at once, or what it writes is discarded.
    /// <para>asyncio: <c>asyncio.subprocess.DEVNULL</c>.</para>
    /// </summary>
    public const int DevNull = -3;
}
