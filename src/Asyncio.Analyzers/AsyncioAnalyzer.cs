namespace Asyncio.Analyzers;

/// <summary>
/// What every Asyncio rule shares: one warning, generated code skipped, concurrent execution, and nothing at all
/// in a compilation that does not reference Asyncio.
/// </summary>
public abstract class AsyncioAnalyzer : DiagnosticAnalyzer
{
    private readonly DiagnosticDescriptor _rule;

    private protected AsyncioAnalyzer(DiagnosticDescriptor rule) => _rule = rule;

    /// <inheritdoc/>
    public sealed override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(_rule);

    /// <inheritdoc/>
    public sealed override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (AsyncioSymbols.TryCreate(start.Compilation) is { } symbols) Register(start, symbols);
        });
    }

    /// <summary>Registers the rule's actions for a compilation that references Asyncio.</summary>
    private protected abstract void Register(CompilationStartAnalysisContext start, AsyncioSymbols symbols);

    /// <summary>A rule of this package: a warning, enabled by default, documented in docs/analyzers.md.</summary>
    private protected static DiagnosticDescriptor Warning(string id, string title, string message, string description) =>
        new(id, title, message, "Usage", DiagnosticSeverity.Warning, isEnabledByDefault: true, description,
            helpLinkUri: "docs/analyzers.md#" + Anchor(id, title));

    /// <summary>The page's anchor for a rule's heading "AIO001: Coroutine is never awaited".</summary>
    private static string Anchor(string id, string title) =>
        (id + "-" + title).ToLowerInvariant().Replace(' ', '-');
}
