using System.Globalization;

namespace Asyncio.Analyzers;

/// <summary>
/// AIO002: a call that blocks the thread, inside a coroutine. Every task of a loop runs on the loop's one thread,
/// so a coroutine that sleeps, waits for a <see cref="System.Threading.Tasks.Task"/>, reads a file or a socket
/// synchronously, or waits on a thread lock stops every other task and every timer for as long (asyncio's debug
/// mode reports it as a slow callback). Only the body of an async coroutine is checked: a lambda inside it, such
/// as the one given to <c>Aio.ToThread</c>, is its own function and runs where it is sent.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingCallAnalyzer : AsyncioAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = Warning(
        RuleIds.BlockingCall,
        "Blocking call inside a coroutine",
        "'{0}' blocks the event loop's thread inside a coroutine: {1}",
        "A coroutine runs on the event loop's thread; a blocking call there stops every task and timer of the loop until it returns.");

    private const string UseSleep = "use await Aio.Sleep";
    private const string UseAwait = "await the task instead";
    private const string UseToThread = "run it with await Aio.ToThread, or use the asynchronous API";
    private const string UseAsyncioLock = "use AsyncLock, AsyncCondition or AsyncSemaphore";

    /// <summary>The file-stream methods that do I/O (the class's asynchronous ones end in Async).</summary>
    private static readonly ImmutableHashSet<string> FileStreamMethods = ImmutableHashSet.Create(
        "Read", "Write", "ReadByte", "WriteByte", "Flush", "CopyTo", "ReadExactly", "ReadAtLeast", "SetLength");

    /// <summary>
    /// The synchronous socket operations that wait for the peer. Sending and connecting are left out: on a
    /// non-blocking socket (as the loop's own are) they return at once, and a test's peer socket sends on a local
    /// pair without waiting; the analyzer cannot tell a blocking socket from a non-blocking one.
    /// </summary>
    private static readonly ImmutableHashSet<string> SocketMethods = ImmutableHashSet.Create(
        "Receive", "ReceiveFrom", "ReceiveMessageFrom", "Accept");

    /// <summary>The types whose methods <see cref="Classify"/> knows, besides file streams.</summary>
    private static readonly ImmutableArray<string> BlockingTypes = ImmutableArray.Create(
        "System.Threading.Thread", "System.Threading.Tasks.Task", "System.IO.File", "System.Net.Sockets.Socket",
        "System.Threading.Monitor", "System.Threading.SemaphoreSlim", "System.Threading.ManualResetEventSlim",
        "System.Threading.CountdownEvent", "System.Threading.WaitHandle");

    /// <summary>The awaiters whose <c>GetResult</c> blocks until the task is done.</summary>
    private static readonly ImmutableHashSet<string> TaskAwaiters = ImmutableHashSet.Create(
        "System.Runtime.CompilerServices.TaskAwaiter",
        "System.Runtime.CompilerServices.TaskAwaiter`1",
        "System.Runtime.CompilerServices.ValueTaskAwaiter",
        "System.Runtime.CompilerServices.ValueTaskAwaiter`1",
        "System.Runtime.CompilerServices.ConfiguredTaskAwaitable+ConfiguredTaskAwaiter",
        "System.Runtime.CompilerServices.ConfiguredTaskAwaitable`1+ConfiguredTaskAwaiter",
        "System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable+ConfiguredValueTaskAwaiter",
        "System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable`1+ConfiguredValueTaskAwaiter");

    /// <summary>Creates the rule.</summary>
    public BlockingCallAnalyzer() : base(Rule) { }

    private protected override void Register(CompilationStartAnalysisContext start, AsyncioSymbols symbols)
    {
        // Every call in the compilation comes through here: a set lookup turns away the calls of other types
        // before any name is built.
        var candidates = new HashSet<INamedTypeSymbol>(SymbolEqualityComparer.Default);
        foreach (string name in BlockingTypes.Concat(TaskAwaiters))
            if (start.Compilation.GetTypeByMetadataName(name) is { } type) candidates.Add(type);
        start.RegisterOperationAction(c => AnalyzeInvocation(c, symbols, candidates), OperationKind.Invocation);
        start.RegisterOperationAction(c => AnalyzeResult(c, symbols), OperationKind.PropertyReference);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, AsyncioSymbols symbols, HashSet<INamedTypeSymbol> candidates)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol method = invocation.TargetMethod;
        if (!candidates.Contains(method.ContainingType.OriginalDefinition) && !FileStreamMethods.Contains(method.Name)) return;
        (string? advice, string? fix) = Classify(invocation, method);
        if (advice is null) return;
        if (!InsideCoroutine(context, symbols)) return;

        ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty;
        if (fix == RuleIds.FixSleep)
            properties = properties.Add(RuleIds.SleepSecondsProperty, SleepSeconds(invocation.Arguments[0].Value));
        if (fix == RuleIds.FixToThread && !CanMoveToLambda(invocation)) fix = null;
        if (fix is not null) properties = properties.Add(RuleIds.FixProperty, fix);
        string name = method.ContainingType.Name + "." + method.Name;
        context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), properties, name, advice));
    }

    /// <summary>What to advise for a call and which fix applies, or (null, null) when the call does not block.</summary>
    private static (string? Advice, string? Fix) Classify(IInvocationOperation invocation, IMethodSymbol method)
    {
        string type = FullName(method.ContainingType);
        string name = method.Name;
        switch (type)
        {
            case "System.Threading.Thread" when name == "Sleep":
                return (UseSleep, RuleIds.FixSleep);
            case "System.Threading.Tasks.Task" when name == "Wait" && method.Parameters.IsEmpty && !method.IsStatic:
                return (UseAwait, RuleIds.FixAwait);
            case "System.Threading.Tasks.Task" when name is "Wait" or "WaitAll" or "WaitAny":
                return (UseToThread, RuleIds.FixToThread);
            case "System.IO.File" when !name.EndsWith("Async", StringComparison.Ordinal)
                                       && (name.StartsWith("Read", StringComparison.Ordinal)
                                           || name.StartsWith("Write", StringComparison.Ordinal)
                                           || name.StartsWith("Append", StringComparison.Ordinal)):
                return (UseToThread, RuleIds.FixToThread);
            case "System.Net.Sockets.Socket" when SocketMethods.Contains(name):
                return (UseToThread, RuleIds.FixToThread);
            case "System.Threading.Monitor" when name is "Enter" or "TryEnter" or "Wait":
                // Monitor is owned by a thread: moving the call to a worker thread would be wrong, so no fix.
                return (UseAsyncioLock, null);
            case "System.Threading.SemaphoreSlim" or "System.Threading.ManualResetEventSlim" or "System.Threading.CountdownEvent"
                when name == "Wait":
                return (UseAsyncioLock, RuleIds.FixToThread);
            case "System.Threading.WaitHandle" when name is "WaitOne" or "WaitAll" or "WaitAny":
                return (UseToThread, RuleIds.FixToThread);
        }
        if (name == "GetResult" && TaskAwaiters.Contains(FullName(method.ContainingType.OriginalDefinition)))
            return (UseAwait, IsGetAwaiterCall(invocation.Instance) ? RuleIds.FixAwait : null);
        if (FileStreamMethods.Contains(name) && IsFileStream(invocation.Instance?.Type))
            return (UseToThread, RuleIds.FixToThread);
        return (null, null);
    }

    private static void AnalyzeResult(OperationAnalysisContext context, AsyncioSymbols symbols)
    {
        var reference = (IPropertyReferenceOperation)context.Operation;
        if (reference.Property.Name != "Result") return;
        string type = FullName(reference.Property.ContainingType.OriginalDefinition);
        if (type is not ("System.Threading.Tasks.Task`1" or "System.Threading.Tasks.ValueTask`1")) return;
        if (!InsideCoroutine(context, symbols)) return;
        ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty.Add(RuleIds.FixProperty, RuleIds.FixAwait);
        string name = reference.Property.ContainingType.Name + ".Result";
        context.ReportDiagnostic(Diagnostic.Create(Rule, reference.Syntax.GetLocation(), properties, name, UseAwait));
    }

    private static bool InsideCoroutine(OperationAnalysisContext context, AsyncioSymbols symbols) =>
        symbols.IsCoroutineFunction(AsyncioSymbols.EnclosingFunction(context.Operation, context.ContainingSymbol));

    /// <summary>
    /// <c>Aio.Sleep</c>'s argument for <c>Thread.Sleep</c>'s: constant milliseconds become constant seconds
    /// (<c>Timeout.Infinite</c> becomes an endless sleep), a <c>TimeSpan</c> passes as it is.
    /// </summary>
    private static string SleepSeconds(IOperation argument)
    {
        if (argument.Type?.SpecialType != SpecialType.System_Int32) return RuleIds.SleepTimeSpan;
        if (argument.ConstantValue is { HasValue: true, Value: int milliseconds })
            return milliseconds == Timeout.Infinite
                ? "double.PositiveInfinity"
                : (milliseconds / 1000.0).ToString("R", CultureInfo.InvariantCulture);
        return RuleIds.SleepMilliseconds;
    }

    /// <summary>
    /// A call can move into a lambda unless an argument is passed by reference or is a ref struct (a span),
    /// which a lambda cannot capture.
    /// </summary>
    private static bool CanMoveToLambda(IInvocationOperation invocation)
    {
        foreach (IArgumentOperation argument in invocation.Arguments)
        {
            if (argument.Parameter is { RefKind: not RefKind.None }) return false;
            if (argument.Value.Type is { IsRefLikeType: true }) return false;
        }
        return invocation.Instance?.Type is not { IsRefLikeType: true };
    }

    private static bool IsGetAwaiterCall(IOperation? instance) => instance is IInvocationOperation { TargetMethod.Name: "GetAwaiter" };

    private static bool IsFileStream(ITypeSymbol? type)
    {
        for (ITypeSymbol? current = type; current is not null; current = current.BaseType)
            if (FullName(current) == "System.IO.FileStream") return true;
        return false;
    }

    private static string FullName(ITypeSymbol type) =>
        type.ContainingType is { } outer ? FullName(outer) + "+" + type.MetadataName
        : type.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() + "." + type.MetadataName
        : type.MetadataName;
}
