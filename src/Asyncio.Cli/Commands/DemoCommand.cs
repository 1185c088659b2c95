using System.CommandLine;
using Asyncio.Cli.Demos;
using Spectre.Console;

namespace Asyncio.Cli.Commands;

/// <summary>
/// <c>aio demo [--list] [NAME ...]</c>: runs the cheat sheet's examples (every one, or the named ones), each under a
/// heading; on a terminal the heading is a coloured rule, otherwise the plain line <c>=== Title (name)</c>.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The command's usage line.</summary>
    public const string Usage = "aio demo [--list] [NAME ...]";

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var names = new Argument<string[]>("NAME")
        {
            Description = "The examples to run (default: all, in order; see --list).",
            Arity = ArgumentArity.ZeroOrMore,
            HelpName = "NAME",
        };
        names.CompletionSources.Add(_ => Demo.All.Select(d => new System.CommandLine.Completions.CompletionItem(d.Name, detail: d.Title)));
        names.Validators.Add(result =>
        {
            var unknown = result.Tokens.Select(t => t.Value).Where(n => Demo.All.All(d => d.Name != n)).ToList();
            if (unknown.Count > 0) result.AddError($"unknown demo: {string.Join(", ", unknown)} (see aio demo --list)");
        });
        var list = new Option<bool>("--list", "-l") { Description = "List the examples and exit." };
        var command = new AioCommand("demo", "Run the asyncio cheat sheet's examples live.", Usage) { names, list };
        command.SetAction(result =>
        {
            TextWriter output = result.InvocationConfiguration.Output;
            if (result.GetValue(list)) return List(output);
            string[] chosen = result.GetValue(names) ?? [];
            return Run(chosen.Length == 0 ? Demo.All : chosen.Select(n => Demo.All.First(d => d.Name == n)), output);
        });
        return command;
    }

    /// <summary>Prints the examples: a table on a terminal, <c>name title</c> lines otherwise.</summary>
    internal static int List(TextWriter output)
    {
        if (!Terminal.IsTerminal(output))
        {
            foreach (Demo demo in Demo.All) output.WriteLine($"{demo.Name,-28} {demo.Title}");
            return 0;
        }
        var table = new Table().Border(TableBorder.Rounded).AddColumn("[bold]name[/]").AddColumn("[bold]example[/]");
        foreach (Demo demo in Demo.All) table.AddRow($"[green]{Markup.Escape(demo.Name)}[/]", Markup.Escape(demo.Title));
        Terminal.For(output).Write(table);
        return 0;
    }

    /// <summary>Runs <paramref name="demos"/> in order, each under its heading, with a blank line after each.</summary>
    internal static int Run(IEnumerable<Demo> demos, TextWriter output)
    {
        IAnsiConsole? console = Terminal.IsTerminal(output) ? Terminal.For(output) : null;
        foreach (Demo demo in demos)
        {
            if (console is null)
            {
                output.WriteLine($"=== {demo.Title} ({demo.Name})");
            }
            else
            {
                console.Write(new Rule($"[bold yellow]{Markup.Escape(demo.Title)}[/] [grey]({Markup.Escape(demo.Name)})[/]").LeftJustified());
            }
            demo.Run(output);
            output.WriteLine();
        }
        return 0;
    }
}
