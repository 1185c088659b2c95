using System.CommandLine;
using System.Reflection;
using System.Text.RegularExpressions;
using Asyncio.Cli;

namespace Asyncio.Tests.Cli;

/// <summary>
/// The <c>aio</c> command as it ships in the tool package: help on every command, the one package version, usage
/// errors that name the mistyped option and exit with 2 (<see cref="CliProcessTests"/> runs the built command).
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
        // What `aio --version` prints (in-process the entry assembly is the test host's: CliProcessTests runs the real one).
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

    /// <summary>The VersionPrefix of the repository's Directory.Build.props: the one version of every package.</summary>
    internal static string PackageVersion()
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
}
