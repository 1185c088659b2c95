namespace Asyncio.Analyzers;

/// <summary>
/// Fixes AIO001 two ways: await the coroutine (inside an async function only), or start it as a task with
/// <c>_ = Aio.CreateTask(...)</c>, asyncio's fire-and-forget.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NeverAwaitedCodeFix)), Shared]
public sealed class NeverAwaitedCodeFix : AsyncioCodeFix
{
    /// <summary>Creates the fix.</summary>
    public NeverAwaitedCodeFix() : base(RuleIds.NeverAwaited) { }

    private protected override void Register(CodeFixContext context, Diagnostic diagnostic, ExpressionSyntax call)
    {
        // The whole dropped expression is replaced: the call, or the discard "_ = call". It may be a statement or
        // the body of an arrow ("void M() => Work();"), so the fix works on the expression, not the statement.
        ExpressionSyntax dropped = call.Parent is AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" } } discard
            ? discard
            : call;
        if (diagnostic.Properties.TryGetValue(RuleIds.CanAwaitProperty, out string? canAwait) && canAwait == "true")
        {
            context.RegisterCodeFix(
                CodeAction.Create("Await it", ct => FixSyntax.ReplaceAsync(context.Document, dropped,
                    AwaitExpression(call.WithoutTrivia()), ct), equivalenceKey: "Await"),
                diagnostic);
        }
        context.RegisterCodeFix(
            CodeAction.Create("Start it as a task with Aio.CreateTask", ct => FixSyntax.ReplaceAsync(context.Document, dropped,
                AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, IdentifierName("_"),
                    InvocationExpression(FixSyntax.AioMember("CreateTask"), ArgumentList(SingletonSeparatedList(Argument(call.WithoutTrivia()))))), ct),
                equivalenceKey: "CreateTask"),
            diagnostic);
    }
}
