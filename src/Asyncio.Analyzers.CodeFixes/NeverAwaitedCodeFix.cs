using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Asyncio.Analyzers;

/// <summary>
/// Fixes AIO001 two ways: await the coroutine (inside an async function only), or start it as a task with
/// <c>_ = Aio.CreateTask(...)</c>, asyncio's fire-and-forget.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NeverAwaitedCodeFix)), Shared]
public sealed class NeverAwaitedCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIds.NeverAwaited);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        Diagnostic diagnostic = context.Diagnostics[0];
        if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax call) return;
        if (call.FirstAncestorOrSelf<ExpressionStatementSyntax>() is not { } statement) return;

        if (diagnostic.Properties.TryGetValue(RuleIds.CanAwaitProperty, out string? canAwait) && canAwait == "true")
        {
            context.RegisterCodeFix(
                CodeAction.Create("Await it", ct => FixSyntax.ReplaceAsync(context.Document, statement,
                    ExpressionStatement(AwaitExpression(call.WithoutTrivia())), ct), equivalenceKey: "Await"),
                diagnostic);
        }
        context.RegisterCodeFix(
            CodeAction.Create("Start it as a task with Aio.CreateTask", ct => FixSyntax.ReplaceAsync(context.Document, statement,
                ExpressionStatement(AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, IdentifierName("_"),
                    InvocationExpression(FixSyntax.AioMember("CreateTask"), ArgumentList(SingletonSeparatedList(Argument(call.WithoutTrivia())))))), ct),
                equivalenceKey: "CreateTask"),
            diagnostic);
    }
}
