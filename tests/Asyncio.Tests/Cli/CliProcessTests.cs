using System.Diagnostics;
using Asyncio.Tests.Executors;

namespace Asyncio.Tests.Cli;

/// <summary>
/// The built <c>aio</c> (<c>aio.dll</c>) run as a child process, as a user or a script runs it: with its output
/// redirected (plain text: headings, no escape codes; the package version; usage errors on standard error with exit
/// code 2) and on a pseudo-terminal (colours). Run alone: each test starts a .NET process, which on a loaded machine
/// would steal the time of the timing-sensitive tests running beside it.
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public class CliProcessTests
{
    [Fact]
    public void Redirected_Demo_HasHeadings_AndNoEscapeCodes()
    {
        // TERM says "colour terminal": only the redirection must turn the colours off.
        var (code, output, _) = RunAio("demo", "get-event-loop", "awaitables");
        Assert.Equal(0, code);
        Assert.DoesNotContain('\u001b', output);
        string[] headings = output.Split('\n').Where(line => line.StartsWith("=== ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, headings.Length);
        Assert.EndsWith("(get-event-loop)", headings[0], StringComparison.Ordinal);
        Assert.EndsWith("(awaitables)", headings[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Redirected_DemoList_HasNoEscapeCodes()
    {
        var (code, output, _) = RunAio("demo", "--list");
        Assert.Equal(0, code);
        Assert.DoesNotContain('\u001b', output);
        Assert.Contains("awaitables", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Version_PrintsThePackageVersion()
    {
        var (code, output, _) = RunAio("--version");
        Assert.Equal(0, code);
        Assert.Equal(CliPackagingTests.PackageVersion(), output.Trim());
    }

    [Fact]
    public void BadOption_Exits2_WithTheMessageOnStandardError_Only()
    {
        var (code, output, error) = RunAio("demo", "--bogus");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("aio demo: error: Unrecognized option '--bogus'.", error, StringComparison.Ordinal);
        Assert.Contains("Run 'aio demo --help'", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', error);
    }

    [LinuxFact]
    public void OnATerminal_DemoList_IsColoured()
    {
        // script(1) gives aio a pseudo-terminal as its standard output: the colours must come back.
        var (code, output, _) = RunCommand(["script", "-qec", $"{Quote(WorkerLauncher.DotnetHost())} {Quote(FetchInterruptTests.AioDll)} demo --list", "/dev/null"]);
        Assert.Equal(0, code);
        Assert.Contains('\u001b', output);
        Assert.Contains("awaitables", output, StringComparison.Ordinal);
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Runs <c>aio ARGS</c> as a child process with its output redirected (and no input).</summary>
    private static (int Code, string Output, string Error) RunAio(params string[] aioArgs) =>
        RunCommand([WorkerLauncher.DotnetHost(), FetchInterruptTests.AioDll, .. aioArgs]);

    /// <summary>Runs a command line with TERM set to a colour terminal; killed if it does not end within a minute.</summary>
    private static (int Code, string Output, string Error) RunCommand(IReadOnlyList<string> commandLine)
    {
        var info = new ProcessStartInfo(commandLine[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in commandLine.Skip(1)) info.ArgumentList.Add(arg);
        info.Environment["TERM"] = "xterm-256color";
        info.Environment.Remove("NO_COLOR");
        using Process child = Process.Start(info)!;
        try
        {
            child.StandardInput.Close();
            Task<string> output = child.StandardOutput.ReadToEndAsync();
            Task<string> error = child.StandardError.ReadToEndAsync();
            Assert.True(child.WaitForExit(TimeSpan.FromSeconds(60)), $"{string.Join(' ', commandLine)} did not end");
            return (child.ExitCode, output.Result, error.Result);
        }
        finally
        {
            if (!child.HasExited) child.Kill(entireProcessTree: true);
        }
    }
}
