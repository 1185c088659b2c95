using System.Collections.Immutable;
using System.Composition;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using static Microsoft.CodeAnalysis.CSharp.SyntaxFactory;

namespace Asyncio.Analyzers;

/// <summary>Fixes AIO003: <c>Aio.CreateTask(...)</c> becomes <c>tg.CreateTask(...)</c>, with the group's own name.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TaskEscapesGroupCodeFix)), Shared]
public sealed class TaskEscapesGroupCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIds.TaskEscapesGroup);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        Diagnostic diagnostic = context.Diagnostics[0];
        if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax invocation) return;
        if (!diagnostic.Properties.TryGetValue(RuleIds.GroupProperty, out string? group) || group is null) return;

        // Aio.CreateTask<T> keeps its type arguments; a CreateTask imported with "using static" gains the group.
        ExpressionSyntax target = invocation.Expression switch
        {
            MemberAccessExpressionSyntax member => member.WithExpression(IdentifierName(group).WithTriviaFrom(member.Expression)),
            SimpleNameSyntax name => MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, IdentifierName(group), name.WithoutTrivia()).WithTriviaFrom(name),
            _ => invocation.Expression,
        };
        if (target == invocation.Expression) return;
        context.RegisterCodeFix(
            CodeAction.Create($"Use {group}.CreateTask", ct => FixSyntax.ReplaceAsync(context.Document, invocation.Expression, target, ct),
                equivalenceKey: "GroupCreateTask"),
            diagnostic);
    }
}
