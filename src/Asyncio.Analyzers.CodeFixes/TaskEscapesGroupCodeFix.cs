namespace Asyncio.Analyzers;

/// <summary>Fixes AIO003: <c>Aio.CreateTask(...)</c> becomes <c>tg.CreateTask(...)</c>, with the group's own name.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TaskEscapesGroupCodeFix)), Shared]
public sealed class TaskEscapesGroupCodeFix : AsyncioCodeFix
{
    /// <summary>Creates the fix.</summary>
    public TaskEscapesGroupCodeFix() : base(RuleIds.TaskEscapesGroup) { }

    private protected override void Register(CodeFixContext context, Diagnostic diagnostic, ExpressionSyntax node)
    {
        if (node is not InvocationExpressionSyntax invocation) return;
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
