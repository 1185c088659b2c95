using System.Collections.Immutable;
using System.Globalization;
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
    /// <summary>An example: its marker, its code, and for a reported one the warnings quoted after it.</summary>
    [GeneratedRegex(@"<!-- (?<kind>reported: (?<id>AIO\d{3})|fixed) -->\s*```csharp\n(?<code>.*?)```\n(\s*(?<quote>(^>[^\n]*\n)+))?", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex Example();

    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
        ImmutableArray.Create<DiagnosticAnalyzer>(new NeverAwaitedAnalyzer(), new BlockingCallAnalyzer(), new TaskEscapesGroupAnalyzer());

    public static TheoryData<string, string?, string, string> Examples()
    {
        string page = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "analyzers.md"));
        var data = new TheoryData<string, string?, string, string>();
        int index = 0;
        foreach (Match match in Example().Matches(page))
        {
            string? id = match.Groups["id"].Success ? match.Groups["id"].Value : null;
            data.Add($"example {++index}", id, match.Groups["code"].Value, match.Groups["quote"].Value);
        }
        return data;
    }

    /// <summary>
    /// The warnings a quote lists, one per paragraph of the quote ("&gt; warning AIO001: ..." wrapped over lines).
    /// </summary>
    private static List<string> QuotedWarnings(string quote) =>
        Regex.Split(quote, @"^>\s*\n", RegexOptions.Multiline)
            .Select(paragraph => string.Join(" ", paragraph.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimStart('>').Trim())))
            .Where(warning => warning.Length > 0)
            .ToList();

    [Fact]
    public void ThePage_HasAReportedAndAFixedExampleForEachRule()
    {
        var ids = Examples().Select(row => (string?)row[1]).ToList();
        Assert.Equal(new string?[] { "AIO001", null, "AIO002", null, "AIO003", null }, ids);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task ReportedExample_RaisesItsRuleWithTheQuotedWarnings_FixedExample_RaisesNone(string example, string? rule, string code, string quote)
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
        else
        {
            Assert.Equal([rule], ids);
            Assert.Equal(QuotedWarnings(quote), found.Select(d => $"warning {d.Id}: {d.GetMessage(CultureInfo.InvariantCulture)}").ToList());
        }
    }
}
