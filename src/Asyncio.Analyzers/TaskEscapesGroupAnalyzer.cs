namespace Asyncio.Analyzers;

/// <summary>
/// AIO003: <c>Aio.CreateTask</c> where a task group's <c>CreateTask</c> was meant. Inside a group's body, a task
/// made with <c>Aio.CreateTask</c> is not a child of the group: the group neither waits for it nor cancels it,
/// and its failure does not fail the group, so it escapes the structured concurrency the group exists for.
/// A group body is the function given to <c>TaskGroup.Run</c>, or the scope of an <c>await using</c> group
/// variable in the same function.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TaskEscapesGroupAnalyzer : AsyncioAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = Warning(
        RuleIds.TaskEscapesGroup,
        "Task escapes its TaskGroup",
        "Aio.CreateTask inside the body of task group '{0}' makes a task the group neither waits for nor cancels: use {0}.CreateTask",
        "A TaskGroup waits for, cancels and collects the failures of the tasks made with its own CreateTask only; a task made with Aio.CreateTask inside the group's body outlives the group.");

    /// <summary>Creates the rule.</summary>
    public TaskEscapesGroupAnalyzer() : base(Rule) { }

    private protected override void Register(CompilationStartAnalysisContext start, AsyncioSymbols symbols)
    {
        if (symbols.TaskGroup is { } taskGroup)
            start.RegisterOperationAction(c => AnalyzeInvocation(c, symbols, taskGroup), OperationKind.Invocation);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, AsyncioSymbols symbols, INamedTypeSymbol taskGroup)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.TargetMethod.Name != "CreateTask"
            || !SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, symbols.Aio)) return;
        string? group = EnclosingGroup(invocation, taskGroup);
        if (group is null) return;
        ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty.Add(RuleIds.GroupProperty, group);
        context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), properties, group));
    }

    /// <summary>
    /// The name of the group whose body holds <paramref name="operation"/>, looking no further than the nearest
    /// enclosing function (a lambda inside the body may run long after the group ended).
    /// </summary>
    private static string? EnclosingGroup(IOperation operation, INamedTypeSymbol taskGroup)
    {
        IOperation child = operation;
        for (IOperation? parent = operation.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            switch (parent)
            {
                case IAnonymousFunctionOperation lambda:
                    return IsGroupBody(lambda, taskGroup) ? lambda.Symbol.Parameters[0].Name : null;
                case ILocalFunctionOperation:
                    return null;
                case IBlockOperation block when GroupDeclaredBefore(block, child, taskGroup) is { } local:
                    return local.Name;
                case IUsingOperation @using when @using.Body == child && GroupLocal(@using.Resources, taskGroup) is { } local:
                    return local.Name;
            }
        }
        return null;
    }

    /// <summary>True when <paramref name="lambda"/> is the body passed to <c>TaskGroup.Run</c>.</summary>
    private static bool IsGroupBody(IAnonymousFunctionOperation lambda, INamedTypeSymbol taskGroup) =>
        lambda.Parent is IDelegateCreationOperation { Parent: IArgumentOperation { Parent: IInvocationOperation run } }
        && run.TargetMethod.Name == "Run"
        && SymbolEqualityComparer.Default.Equals(run.TargetMethod.ContainingType, taskGroup)
        && lambda.Symbol.Parameters.Length == 1;

    /// <summary>A group declared with <c>using var</c> in <paramref name="block"/> before <paramref name="statement"/>.</summary>
    private static ILocalSymbol? GroupDeclaredBefore(IBlockOperation block, IOperation statement, INamedTypeSymbol taskGroup)
    {
        foreach (IOperation earlier in block.Operations)
        {
            if (earlier == statement) break;
            if (earlier is IUsingDeclarationOperation declaration && GroupLocal(declaration.DeclarationGroup, taskGroup) is { } local)
                return local;
        }
        return null;
    }

    private static ILocalSymbol? GroupLocal(IOperation resources, INamedTypeSymbol taskGroup)
    {
        if (resources is not IVariableDeclarationGroupOperation group) return null;
        foreach (IVariableDeclarationOperation declaration in group.Declarations)
            foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                if (SymbolEqualityComparer.Default.Equals(declarator.Symbol.Type, taskGroup)) return declarator.Symbol;
        return null;
    }
}
