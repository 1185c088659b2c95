using System.CommandLine;
using System.CommandLine.Parsing;

namespace Asyncio.Cli.Commands;

/// <summary>
/// Finds the options nobody declared that a command's arguments took as values (<c>aio fetch --bogus URL</c>,
/// <c>aio demo -x</c>): System.CommandLine hands such a token to an argument that accepts any number of values, so
/// without this check the error would be about a strange URL or demo name instead of the mistyped option.
/// </summary>
internal static class UnknownOptions
{
    /// <summary>
    /// The tokens that look like options (<c>-x</c>, <c>--name</c>; not <c>-</c>, which means standard input)
    /// and were taken by the chosen command's arguments before any <c>--</c> (after it, they are plain values).
    /// </summary>
    public static IReadOnlyList<string> In(ParseResult result)
    {
        var takenByArguments = result.CommandResult.Children.OfType<ArgumentResult>()
            .SelectMany(argument => argument.Tokens)
            .Select(token => token.Value)
            .ToHashSet(StringComparer.Ordinal);
        return result.Tokens
            .TakeWhile(token => token.Type != TokenType.DoubleDash)
            .Where(token => token.Type == TokenType.Argument && token.Value.Length > 1 && token.Value[0] == '-')
            .Select(token => token.Value)
            .Where(takenByArguments.Contains)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }
}
