using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Asyncio.Analyzers.Tests;

/// <summary>
/// Runs an analyzer (and a code fix) on a source written with the test framework's markup:
/// <c>{|AIO001:Work()|}</c> marks the exact span a diagnostic must cover, and every diagnostic must be marked.
/// </summary>
internal static class Verify
{
    /// <summary>
    /// The framework's assemblies come from the running runtime rather than a downloaded reference pack (the
    /// tests need no network), and the real Asyncio assembly is referenced, as a user's project would.
    /// </summary>
    internal static readonly MetadataReference[] References = RuntimeAssemblies()
        .Append(typeof(Aio).Assembly.Location)
        .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
        .ToArray();

    private static IEnumerable<string> RuntimeAssemblies()
    {
        string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        return ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(path => Path.GetDirectoryName(path) == runtime);
    }

    /// <summary>The usings every test source starts with.</summary>
    public const string Usings = """
        using System;
        using System.IO;
        using System.Net.Sockets;
        using System.Threading;
        using System.Threading.Tasks;
        using Asyncio;

        """;

    /// <summary>Checks that <typeparamref name="TAnalyzer"/> reports exactly the marked diagnostics in <paramref name="source"/>.</summary>
    public static Task AnalyzerAsync<TAnalyzer>(string source)
        where TAnalyzer : DiagnosticAnalyzer, new()
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { TestCode = Usings + source };
        Configure(test);
        return test.RunAsync();
    }

    /// <summary>
    /// Checks the marked diagnostics, then that the code action with <paramref name="equivalenceKey"/> turns
    /// <paramref name="source"/> into <paramref name="fixedSource"/>.
    /// </summary>
    public static Task FixAsync<TAnalyzer, TFix>(string source, string fixedSource, string equivalenceKey)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TFix, DefaultVerifier>
        {
            TestCode = Usings + source,
            FixedCode = Usings + fixedSource,
            CodeActionEquivalenceKey = equivalenceKey,
        };
        Configure(test);
        return test.RunAsync();
    }

    /// <summary>Checks that no code action with <paramref name="equivalenceKey"/> is offered for the marked diagnostics.</summary>
    public static Task NoFixAsync<TAnalyzer, TFix>(string source, string equivalenceKey)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TFix : CodeFixProvider, new() =>
        FixAsync<TAnalyzer, TFix>(source, source, equivalenceKey);

    private static void Configure(AnalyzerTest<DefaultVerifier> test)
    {
        test.ReferenceAssemblies = new ReferenceAssemblies("net10.0");
        test.TestState.AdditionalReferences.AddRange(References);
    }
}
