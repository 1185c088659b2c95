using Spectre.Console;

namespace Asyncio.Cli.Commands;

/// <summary>
/// Spectre.Console for a writer: colours and live widgets only when the writer is the process's standard output
/// and that is a terminal. Redirected output and test writers get plain text, so what scripts and tests read
/// stays stable (no escape codes, no width-dependent layout).
/// </summary>
internal static class Terminal
{
    /// <summary>True when <paramref name="writer"/> is standard output and standard output is a terminal.</summary>
    public static bool IsTerminal(TextWriter writer) => ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>A Spectre console writing to <paramref name="writer"/>: ANSI and colours only on a terminal.</summary>
    public static IAnsiConsole For(TextWriter writer)
    {
        bool terminal = IsTerminal(writer);
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
    }
}
