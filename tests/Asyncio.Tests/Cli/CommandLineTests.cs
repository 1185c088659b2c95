using Asyncio.Cli;
using Asyncio.Cli.Demos;
using Asyncio.Tests.Executors;

namespace Asyncio.Tests.Cli;

/// <summary>
/// The <c>aio</c> command line (System.CommandLine): help on every command, the version, completions, usage errors
/// with exit code 2, and <c>aio demo</c>'s plain output when not on a terminal.
/// </summary>
public class CommandLineTests
{
    [Theory]
    [InlineData("")]
    [InlineData("--help")]
    [InlineData("demo --help")]
    [InlineData("fetch --help")]
    [InlineData("echo-server --help")]
    [InlineData("demo -h")]
    public void Help_IsPrintedForEveryCommand_Exit0(string args)
    {
        var (code, output, _) = Run(args);
        Assert.Equal(0, code);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_ListsTheCommands()
    {
        var (_, output, _) = Run("--help");
        Assert.Contains("demo", output, StringComparison.Ordinal);
        Assert.Contains("fetch", output, StringComparison.Ordinal);
        Assert.Contains("echo-server", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_PrintsTheVersion()
    {
        var (code, output, _) = Run("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("demo no-such-demo")]
    [InlineData("demo --bogus")]
    [InlineData("fetch")]
    [InlineData("fetch --rate fast http://127.0.0.1/x")]
    [InlineData("fetch --max-size lots http://127.0.0.1/x")]
    [InlineData("fetch -j 0 http://127.0.0.1/x")]
    [InlineData("fetch --sha256 abc http://127.0.0.1/x")]
    [InlineData("fetch ftp://127.0.0.1/x")]
    [InlineData("fetch --timeout 0 http://127.0.0.1/x")]
    [InlineData("echo-server --port")]
    public void UsageErrors_Exit2_WithAMessageOnStandardError(string args)
    {
        var (code, output, error) = Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("error:", error, StringComparison.Ordinal);
        Assert.Contains("--help", error, StringComparison.Ordinal);
    }

    [Fact]
    public void UsageError_NamesTheProblemAndTheUsage()
    {
        var (_, _, error) = Run("demo no-such-demo");
        Assert.Contains("unknown demo: no-such-demo", error, StringComparison.Ordinal);
        Assert.Contains("usage: aio demo", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Sha256_WithSeveralUrls_IsAUsageError()
    {
        var (code, _, error) = Run($"fetch --sha256 {new string('a', 64)} http://127.0.0.1/a http://127.0.0.1/b");
        Assert.Equal(2, code);
        Assert.Contains("single URL", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SuggestDirective_CompletesDemoNames()
    {
        // As dotnet-suggest calls it: the cursor position, then the command line as one argument.
        var output = new StringWriter();
        int code = Program.Run(["[suggest:7]", "demo ec"], output, TextWriter.Null, TextReader.Null);
        Assert.Equal(0, code);
        Assert.Contains("echo", output.ToString().Split('\n', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void DemoList_Redirected_IsOnePlainLinePerDemo()
    {
        var (code, output, _) = Run("demo --list");
        Assert.Equal(0, code);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(Demo.All.Select(d => $"{d.Name,-28} {d.Title}"), lines);
        Assert.DoesNotContain('\u001b', output);
    }

    [LinuxFact]
    public void Demo_Redirected_HasAPlainHeadingPerDemo_AndNoEscapeCodes()
    {
        var (code, output, _) = Run("demo echo");
        Assert.Equal(0, code);
        string[] lines = output.Split('\n');
        Assert.Equal("=== echo server and client with streams (echo)", lines[0]);
        Assert.Contains("closed", lines);
        Assert.DoesNotContain('\u001b', output);
    }

    /// <summary>Runs <c>aio ARGS</c> in-process with captured output.</summary>
    internal static (int Code, string Output, string Error) Run(string args, TextReader? input = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args.Split(' ', StringSplitOptions.RemoveEmptyEntries), output, error, input ?? TextReader.Null);
        return (code, output.ToString(), error.ToString());
    }
}
