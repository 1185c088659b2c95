using System.CommandLine;

namespace Asyncio.Cli.Commands;

/// <summary>A command of <c>aio</c> with a one-line usage, printed under its usage errors.</summary>
/// <param name="name">The command's name.</param>
/// <param name="description">What it does (the help's first line).</param>
/// <param name="usage">The short usage line, e.g. <c>aio echo-server --port N [--protocol]</c>.</param>
internal class AioCommand(string name, string description, string usage) : Command(name, description)
{
    /// <summary>The short usage line.</summary>
    public string Usage { get; } = usage;
}
