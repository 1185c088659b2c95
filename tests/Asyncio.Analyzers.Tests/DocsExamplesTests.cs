using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Asyncio.Analyzers.Tests;

/// <summary>
/// The examples of docs/analyzers.md are the rules' contract: each one marked "reported" must compile and raise its
/// rule, each one marked "fixed" must compile and raise none. They are read from the page itself (copied next to
/// the tests), so the page and the tests cannot differ.
/// </summary>
public partial class DocsExamplesTests
{
    [GeneratedRegex(@"<!-- (?<kind>reported: (?<id>AIO\d{3})|fixed) -->\s*```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Example();

    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
        ImmutableArray.Create<DiagnosticAnalyzer>(new NeverAwaitedAnalyzer(), new BlockingCallAnalyzer(), new TaskEscapesGroupAnalyzer());

    public static TheoryData<string, string?, string> Examples()
    {
        string page = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "analyzers.md"));
        var data = new TheoryData<string, string?, string>();
        int index = 0;
        foreach (Match match in Example().Matches(page))
        {
            string? id = match.Groups["id"].Success ? match.Groups["id"].Value : null;
            data.Add($"example {++index}", id, match.Groups["code"].Value);
        }
        return data;
    }

    [Fact]
    public void ThePage_HasAReportedAndAFixedExampleForEachRule()
    {
        var ids = Examples().Select(row => (string?)row[1]).ToList();
        Assert.Equal(new string?[] { "AIO001", null, "AIO002", null, "AIO003", null }, ids);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task ReportedExample_RaisesItsRule_FixedExample_RaisesNone(string example, string? rule, string code)
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Example",
            [CSharpSyntaxTree.ParseText(Verify.Usings + code)],
            Verify.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        ImmutableArray<Diagnostic> found = await compilation.WithAnalyzers(Analyzers).GetAnalyzerDiagnosticsAsync();
        var ids = found.Select(d => d.Id).Distinct().ToList();
        if (rule is null) Assert.True(ids.Count == 0, $"{example}: {string.Join(", ", found)}");
        else Assert.Equal([rule], ids);
    }
}
