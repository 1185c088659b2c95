namespace Asyncio.Analyzers;

/// <summary>
/// Fixes AIO002, as the analyzer says: <c>Thread.Sleep(ms)</c> becomes <c>await Aio.Sleep(seconds)</c>; a
/// synchronous wait for a task (<c>.Result</c>, <c>.Wait()</c>, <c>.GetAwaiter().GetResult()</c>) becomes an
/// await; another blocking call moves to a worker thread with <c>await Aio.ToThread(() =&gt; call)</c>.
/// Thread-owned waits (<c>Monitor</c>) get no fix: they need Asyncio's own locks (<c>AsyncLock</c>).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BlockingCallCodeFix)), Shared]
public sealed class BlockingCallCodeFix : AsyncioCodeFix
{
    /// <summary>Creates the fix.</summary>
    public BlockingCallCodeFix() : base(RuleIds.BlockingCall) { }

    private protected override void Register(CodeFixContext context, Diagnostic diagnostic, ExpressionSyntax node)
    {
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
