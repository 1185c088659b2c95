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
/// Fixes AIO002, as the analyzer says: <c>Thread.Sleep(ms)</c> becomes <c>await Aio.Sleep(seconds)</c>; a
/// synchronous wait for a task (<c>.Result</c>, <c>.Wait()</c>, <c>.GetAwaiter().GetResult()</c>) becomes an
/// await; another blocking call moves to a worker thread with <c>await Aio.ToThread(() =&gt; call)</c>.
/// Thread-owned waits (<c>Monitor</c>) get no fix: they need Asyncio's own locks.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BlockingCallCodeFix)), Shared]
public sealed class BlockingCallCodeFix : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds => ImmutableArray.Create(RuleIds.BlockingCall);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        Diagnostic diagnostic = context.Diagnostics[0];
        if (root?.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax node) return;
        if (!diagnostic.Properties.TryGetValue(RuleIds.FixProperty, out string? fix)) return;

        (string title, ExpressionSyntax? replacement) = fix switch
        {
            RuleIds.FixSleep => ("Use await Aio.Sleep", Sleep(node, diagnostic)),
            RuleIds.FixAwait => ("Await the task", AwaitedTask(node) is { } task ? FixSyntax.Await(task) : null),
            RuleIds.FixToThread => ("Run it with await Aio.ToThread", ToThread(node)),
            _ => ("", null),
        };
        if (replacement is null) return;
        context.RegisterCodeFix(
            CodeAction.Create(title, ct => FixSyntax.ReplaceAsync(context.Document, node, replacement, ct), equivalenceKey: fix),
            diagnostic);
    }

    /// <summary><c>await Aio.Sleep(seconds)</c> for <c>Thread.Sleep(argument)</c>.</summary>
    private static ExpressionSyntax? Sleep(ExpressionSyntax node, Diagnostic diagnostic)
    {
        if (node is not InvocationExpressionSyntax { ArgumentList.Arguments.Count: 1 } invocation) return null;
        ArgumentSyntax argument = invocation.ArgumentList.Arguments[0];
        diagnostic.Properties.TryGetValue(RuleIds.SleepSecondsProperty, out string? seconds);
        ExpressionSyntax delay = argument.Expression.WithoutTrivia();
        ExpressionSyntax converted = seconds switch
        {
            RuleIds.SleepTimeSpan => delay,
            RuleIds.SleepMilliseconds => BinaryExpression(SyntaxKind.DivideExpression, Parenthesize(delay),
                LiteralExpression(SyntaxKind.NumericLiteralExpression, Literal("1000.0", 1000.0))),
            null => delay,
            _ => ParseExpression(seconds),
        };
        return FixSyntax.Await(InvocationExpression(FixSyntax.AioMember("Sleep"), ArgumentList(SingletonSeparatedList(Argument(converted)))));
    }

    /// <summary>The task a synchronous wait waits for: <c>t</c> in <c>t.Result</c>, <c>t.Wait()</c>, <c>t.GetAwaiter().GetResult()</c>.</summary>
    private static ExpressionSyntax? AwaitedTask(ExpressionSyntax node) => node switch
    {
        MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Result" } result => result.Expression,
        InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Wait" } wait } => wait.Expression,
        InvocationExpressionSyntax
        {
            Expression: MemberAccessExpressionSyntax
            {
                Name.Identifier.ValueText: "GetResult",
                Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "GetAwaiter" } getAwaiter },
            },
        } => getAwaiter.Expression,
        _ => null,
    };

    /// <summary><c>await Aio.ToThread(() =&gt; call)</c>.</summary>
    private static ExpressionSyntax ToThread(ExpressionSyntax call) =>
        FixSyntax.Await(InvocationExpression(FixSyntax.AioMember("ToThread"),
            ArgumentList(SingletonSeparatedList(Argument(ParenthesizedLambdaExpression(call.WithoutTrivia()))))));

    /// <summary>Parentheses around anything looser than a name or a call, so a division applies to all of it.</summary>
    private static ExpressionSyntax Parenthesize(ExpressionSyntax expression) =>
        expression is IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or LiteralExpressionSyntax
            ? expression
            : ParenthesizedExpression(expression);
}
