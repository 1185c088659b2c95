using System.Text;

namespace Asyncio.Cli.Demos;

/// <summary>
/// "subprocesses": <c>Aio.CreateSubprocessShell</c> with <c>CommunicateAsync</c> for a command's output and exit
/// code, then <c>cat</c> driven line by line through its stdin and stdout pipes. The API is in docs/subprocess.md.
/// </summary>
internal sealed class SubprocessDemo : Demo
{
    /// <summary>The lines sent through <c>cat</c>.</summary>
    internal static readonly string[] Lines = ["hello", "subprocess"];

    public override string Name => "subprocess";

    public override string Title => "subprocesses: communicate, and a pipe line by line";

    public override int Order => 930;

    public override void Run(TextWriter output) => Aio.Run(Body(output));

    private static async Coroutine Body(TextWriter output)
    {
        AsyncProcess shell = await Aio.CreateSubprocessShell("echo hello; echo oops >&2; exit 3",
            stdout: Subprocess.Pipe, stderr: Subprocess.Pipe);
        var (stdout, stderr) = await shell.CommunicateAsync();
        output.WriteLine($"exit {shell.ReturnCode}, stdout {Show(stdout)}, stderr {Show(stderr)}");

        AsyncProcess cat = await Aio.CreateSubprocessExec("cat", stdin: Subprocess.Pipe, stdout: Subprocess.Pipe);
        foreach (string line in Lines)
        {
            cat.Stdin!.Write(Encoding.UTF8.GetBytes(line + "\n"));
            await cat.Stdin.DrainAsync();
            output.WriteLine($"cat echoed {Show(await cat.Stdout!.ReadLineAsync())}");
        }
        cat.Stdin!.Close();
        output.WriteLine($"cat exited {await cat.WaitAsync()}");
    }

    /// <summary>Bytes as Python prints them: <c>b'hello\n'</c>.</summary>
    private static string Show(byte[] bytes) => $"b'{Encoding.UTF8.GetString(bytes).Replace("\n", "\\n", StringComparison.Ordinal)}'";
}
