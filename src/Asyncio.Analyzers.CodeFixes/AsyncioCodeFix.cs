using System.Collections.Immutable;

namespace Asyncio.Analyzers;

/// <summary>
/// What every Asyncio code fix shares: one rule, fix-all by batch, and the expression the diagnostic covers.
/// </summary>
public abstract class AsyncioCodeFix : CodeFixProvider
{
    private readonly string _ruleId;

    private protected AsyncioCodeFix(string ruleId) => _ruleId = ruleId;

    /// <inheritdoc/>
    public sealed override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(_ruleId);

    /// <inheritdoc/>
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        Diagnostic diagnostic = context.Diagnostics[0];
        if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is ExpressionSyntax node)
            Register(context, diagnostic, node);
    }

    /// <summary>Registers the fixes for <paramref name="diagnostic"/>, which covers <paramref name="node"/>.</summary>
    private protected abstract void Register(CodeFixContext context, Diagnostic diagnostic, ExpressionSyntax node);
}
