using System.CommandLine;
using Asyncio.Cli.Commands;

namespace Asyncio.Cli;

/// <summary>
/// The <c>aio</c> command: <c>aio demo</c>, <c>aio fetch</c> and <c>aio echo-server</c>, parsed with System.CommandLine
/// (<c>--help</c> on every command, <c>--version</c>, the <c>[suggest]</c> directive for shell completion).
/// </summary>
internal static class Program
{
    /// <summary>The exit code of a command line that does not parse (or fails a command's own checks).</summary>
    public const int UsageExitCode = 2;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses and runs one command line, writing to the given writers (tests pass string writers).</summary>
    /// <param name="args">The arguments after <c>aio</c>.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <returns>The exit code: the command's own, or <see cref="UsageExitCode"/> for a usage error.</returns>
    /// <param name="input">Standard input (<c>aio fetch -i -</c>); null for the console's.</param>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, TextReader? input = null)
    {
        RootCommand root = BuildRoot(input ?? Console.In);
        ParseResult result = root.Parse(args);
        // A mistyped option first: an argument that takes any value (a URL, a demo name) would otherwise take it.
        IReadOnlyList<string> unknown = UnknownOptions.In(result);
        if (unknown.Count > 0) return ReportUsageError(result, unknown.Select(o => $"Unrecognized option '{o}'."), error);
        if (result.Errors.Count > 0) return ReportUsageError(result, result.Errors.Select(e => e.Message), error);
        // ProcessTerminationTimeout null: System.CommandLine must not take Ctrl-C; Aio.Run's handler does.
        return result.Invoke(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null });
    }

    /// <summary>The command tree. Each command lives in its own class under Commands/ or its feature's folder.</summary>
    internal static RootCommand BuildRoot(TextReader input)
    {
        var root = new RootCommand("Asyncio.Net's command: the asyncio cheat sheet running live, and tools built on the loop.")
        {
            DemoCommand.Create(),
            Fetch.FetchCommand.Create(input),
            Echo.EchoServerCommand.Create(),
            WorkerCommand.Create(),
        };
        // `aio` alone prints the help (and succeeds), as it always has.
        root.SetAction(result => HelpOf(result));
        return root;
    }

    /// <summary>Prints the help of the command <paramref name="result"/> chose; returns 0.</summary>
    internal static int HelpOf(ParseResult result) =>
        new System.CommandLine.Help.HelpAction().Invoke(result);

    /// <summary>
    /// Writes the errors (the parser's, or a command's own checks), the command's usage line and where the help is, and returns
    /// <see cref="UsageExitCode"/> (System.CommandLine's own handler would print the whole help and return 1).
    /// </summary>
    internal static int ReportUsageError(ParseResult result, IEnumerable<string> messages, TextWriter error)
    {
        Command command = result.CommandResult.Command;
        string path = CommandPath(result);
        foreach (string message in messages) error.WriteLine($"{path}: error: {message}");
        if (command is AioCommand { Usage: { } usage }) error.WriteLine($"usage: {usage}");
        error.WriteLine($"Run '{path} --help' for more information.");
        return UsageExitCode;
    }

    /// <summary>"aio fetch" for the fetch command: the names from the root down.</summary>
    private static string CommandPath(ParseResult result)
    {
        var names = new List<string>();
        for (var symbol = result.CommandResult; symbol is not null; symbol = symbol.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Add(symbol.Command is RootCommand ? "aio" : symbol.Command.Name);
        }
        names.Reverse();
        return string.Join(' ', names);
    }
}
