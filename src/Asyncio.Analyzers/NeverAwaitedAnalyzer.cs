namespace Asyncio.Analyzers;

/// <summary>
/// AIO001: a coroutine made by a call and dropped. A coroutine is lazy: calling an <c>async Coroutine</c> method
/// runs nothing, so a dropped one is work that silently never happens (asyncio prints "coroutine ... was never
/// awaited" at run time; this says it at compile time). Unlike the compiler's CS4014 it fires outside async
/// methods too, and on a discard (<c>_ = Work();</c>), which drops a coroutine that never started. The same holds
/// for the sleep <c>Aio.Sleep</c> returns and for the awaitables of queues and locks.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NeverAwaitedAnalyzer : AsyncioAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = Warning(
        RuleIds.NeverAwaited,
        "Coroutine is never awaited",
        "The {0} returned by '{1}' is never awaited, so {2}: await it, or start it with Aio.CreateTask",
        "Calling an async Coroutine method only creates the coroutine; its body runs when it is awaited or wrapped in a task. Dropping the result (or discarding it with _ =) loses the work silently (asyncio: 'coroutine ... was never awaited').");

    /// <summary>Creates the rule.</summary>
    public NeverAwaitedAnalyzer() : base(Rule) { }

    private protected override void Register(CompilationStartAnalysisContext start, AsyncioSymbols symbols) =>
        start.RegisterOperationAction(c => AnalyzeStatement(c, symbols), OperationKind.ExpressionStatement);

    private static void AnalyzeStatement(OperationAnalysisContext context, AsyncioSymbols symbols)
    {
        IOperation value = ((IExpressionStatementOperation)context.Operation).Operation;
        if (value is ISimpleAssignmentOperation { Target: IDiscardOperation } discard) value = discard.Value;
        if (symbols.Awaitable(value.Type) is not var (kind, loss)) return;
        IOperation call = value is IConditionalAccessOperation conditional ? conditional.WhenNotNull : value;
        if (call is not IInvocationOperation invocation) return;

        IMethodSymbol? function = AsyncioSymbols.EnclosingFunction(context.Operation, context.ContainingSymbol);
        ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
            .Add(RuleIds.CanAwaitProperty, function is { IsAsync: true } ? "true" : "false");
        context.ReportDiagnostic(Diagnostic.Create(Rule, value.Syntax.GetLocation(), properties, kind, CalleeName(invocation), loss));
    }

    /// <summary>The called method's name; for a delegate, the expression that names it.</summary>
    private static string CalleeName(IInvocationOperation invocation) =>
        invocation.TargetMethod.MethodKind == MethodKind.DelegateInvoke && invocation.Instance is not null
            ? invocation.Instance.Syntax.ToString()
            : invocation.TargetMethod.Name;
}
