using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Asyncio.Cli;
using Asyncio.Tests.Executors;

namespace Asyncio.Tests.Cli;

/// <summary>
/// The <c>aio</c> command as it ships in the tool package: help on every command, the one package version, usage
/// errors that name the mistyped option and exit with 2, and plain output (no escape codes) when redirected. The
/// out-of-process tests run the built <c>aio.dll</c> with standard output redirected, as a script or a pipe does.
/// </summary>
public partial class CliPackagingTests
{
    /// <summary>Every command path of the tree ("demo", "fetch", ...), so a command added later is covered too.</summary>
    public static TheoryData<string> CommandPaths()
    {
        var data = new TheoryData<string>();
        void Walk(Command command, string path)
        {
            foreach (Command sub in command.Subcommands)
            {
                string subPath = (path + " " + sub.Name).Trim();
                data.Add(subPath);
                Walk(sub, subPath);
            }
        }
        Walk(Program.BuildRoot(TextReader.Null), "");
        return data;
    }

    [Theory]
    [MemberData(nameof(CommandPaths))]
    public void EveryCommand_PrintsItsHelp_WithItsDescription_Exit0(string path)
    {
        Command command = path.Split(' ').Aggregate((Command)Program.BuildRoot(TextReader.Null),
            (parent, name) => parent.Subcommands.Single(c => c.Name == name));
        var (code, output, error) = CommandLineTests.Run(path + " --help");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        Assert.Contains("Usage:", output, StringComparison.Ordinal);
        // The usage line names the command after the executable's name (aio; the test host's in-process).
        Assert.Matches($@"Usage:\s+\S+ {Regex.Escape(path)} ", output);
        Assert.Contains(command.Description!, output, StringComparison.Ordinal);
    }

    [Fact]
    public void ToolAssembly_CarriesThePackageVersion_OfDirectoryBuildProps()
    {
        // What `aio --version` prints (in-process the entry assembly is the test host's: see the Process_ test).
        Assert.Equal(PackageVersion(), InformationalVersion(typeof(Program).Assembly));
    }

    [Fact]
    public void Version_IsTheLibrarysVersion()
    {
        // One version for every package: the tool and the library it runs on carry the same one.
        Assert.Equal(InformationalVersion(typeof(Aio).Assembly), InformationalVersion(typeof(Program).Assembly));
    }

    [Theory]
    [InlineData("demo -x", "-x")]
    [InlineData("demo --bogus", "--bogus")]
    [InlineData("demo echo --bogus", "--bogus")]
    [InlineData("fetch --bogus http://127.0.0.1/x", "--bogus")]
    [InlineData("echo-server --port 8888 --bogus", "--bogus")]
    [InlineData("--bogus", "--bogus")]
    public void UnknownOption_IsNamed_Exit2(string args, string option)
    {
        var (code, output, error) = CommandLineTests.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("Unrecognized", error, StringComparison.Ordinal);
        Assert.Contains($"'{option}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AfterDoubleDash_ADashedValueIsAValue_NotAnOption()
    {
        var (code, _, error) = CommandLineTests.Run("demo -- -x");
        Assert.Equal(2, code);
        Assert.Contains("unknown demo: -x", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("echo-server --port abc", "'abc'")]
    [InlineData("echo-server --port 99999", "99999")]
    [InlineData("fetch --rate fast http://127.0.0.1/x", "fast")]
    public void BadValue_IsNamed_Exit2(string args, string value)
    {
        var (code, output, error) = CommandLineTests.Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(value, error, StringComparison.Ordinal);
        Assert.Contains("usage: aio", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_Redirected_Demo_HasHeadings_AndNoEscapeCodes()
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
    public void Process_Redirected_DemoList_HasNoEscapeCodes()
    {
        var (code, output, _) = RunAio("demo", "--list");
        Assert.Equal(0, code);
        Assert.DoesNotContain('\u001b', output);
        Assert.Contains("awaitables", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Process_Version_PrintsThePackageVersion()
    {
        var (code, output, _) = RunAio("--version");
        Assert.Equal(0, code);
        Assert.Equal(PackageVersion(), output.Trim());
    }

    [Fact]
    public void Process_BadOption_Exits2_WithTheMessageOnStandardError_Only()
    {
        var (code, output, error) = RunAio("demo", "--bogus");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("aio demo: error: Unrecognized option '--bogus'.", error, StringComparison.Ordinal);
        Assert.Contains("Run 'aio demo --help'", error, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', error);
    }

    [LinuxFact]
    public void Process_OnATerminal_DemoList_IsColoured()
    {
        // script(1) gives aio a pseudo-terminal as its standard output: the colours must come back.
        var (code, output, _) = RunCommand(["script", "-qec", $"{Quote(Dotnet())} {Quote(AioDll())} demo --list", "/dev/null"]);
        Assert.Equal(0, code);
        Assert.Contains('\u001b', output);
        Assert.Contains("awaitables", output, StringComparison.Ordinal);
    }

    /// <summary>The VersionPrefix of the repository's Directory.Build.props: the one version of every package.</summary>
    private static string PackageVersion()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string props = Path.Combine(dir.FullName, "Directory.Build.props");
            if (File.Exists(props) && VersionPrefix().Match(File.ReadAllText(props)) is { Success: true } match)
            {
                return match.Groups[1].Value;
            }
        }
        throw new InvalidOperationException("no Directory.Build.props with a VersionPrefix above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("<VersionPrefix>([^<]+)</VersionPrefix>")]
    private static partial Regex VersionPrefix();

    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

    private static string Dotnet() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static string AioDll() => Path.Combine(AppContext.BaseDirectory, "aio.dll");

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Runs <c>aio ARGS</c> as a child process with its output redirected (and no input).</summary>
    private static (int Code, string Output, string Error) RunAio(params string[] aioArgs) =>
        RunCommand([Dotnet(), AioDll(), .. aioArgs]);

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
