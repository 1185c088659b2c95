namespace Asyncio.Analyzers;

/// <summary>
/// The Asyncio types the rules look for, resolved once per compilation. Null when the compilation does not
/// reference Asyncio: the rules then register nothing.
/// </summary>
internal sealed class AsyncioSymbols
{
    public INamedTypeSymbol Coroutine { get; }
    public INamedTypeSymbol CoroutineOfT { get; }
    public INamedTypeSymbol? SleepAwaitable { get; }
    public INamedTypeSymbol? LoopAwaitableOfT { get; }
    public INamedTypeSymbol Aio { get; }
    public INamedTypeSymbol? TaskGroup { get; }

    private AsyncioSymbols(INamedTypeSymbol coroutine, INamedTypeSymbol coroutineOfT, INamedTypeSymbol aio, Compilation compilation)
    {
        Coroutine = coroutine;
        CoroutineOfT = coroutineOfT;
        Aio = aio;
        SleepAwaitable = compilation.GetTypeByMetadataName("Asyncio.SleepAwaitable");
        LoopAwaitableOfT = compilation.GetTypeByMetadataName("Asyncio.LoopAwaitable`1");
        TaskGroup = compilation.GetTypeByMetadataName("Asyncio.TaskGroup");
    }

    public static AsyncioSymbols? TryCreate(Compilation compilation)
    {
        INamedTypeSymbol? coroutine = compilation.GetTypeByMetadataName("Asyncio.Coroutine");
        INamedTypeSymbol? coroutineOfT = compilation.GetTypeByMetadataName("Asyncio.Coroutine`1");
        INamedTypeSymbol? aio = compilation.GetTypeByMetadataName("Asyncio.Aio");
        return coroutine is null || coroutineOfT is null || aio is null ? null : new AsyncioSymbols(coroutine, coroutineOfT, aio, compilation);
    }

    /// <summary>True for <c>Coroutine</c> and any <c>Coroutine&lt;T&gt;</c>.</summary>
    public bool IsCoroutine(ITypeSymbol? type) =>
        type is INamedTypeSymbol named
        && (SymbolEqualityComparer.Default.Equals(named, Coroutine)
            || SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, CoroutineOfT));

    /// <summary>
    /// What kind of awaitable <paramref name="type"/> is and what dropping it costs, for the message, or null when
    /// it is none; a nullable one (from <c>?.</c>) counts as its underlying type.
    /// </summary>
    public (string Kind, string Loss)? Awaitable(ITypeSymbol? type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            type = nullable.TypeArguments[0];
        if (IsCoroutine(type)) return ("coroutine", "it never runs");
        if (type is null) return null;
        if (SymbolEqualityComparer.Default.Equals(type, SleepAwaitable)) return ("sleep", "nothing waits");
        // Queue and lock operations start when called (LoopAwaitable's contract): a waiting one keeps its place.
        if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, LoopAwaitableOfT))
            return ("awaitable", "its result is lost and a waiting one keeps its place in line");
        return null;
    }

    /// <summary>
    /// The function whose body holds <paramref name="operation"/>: the nearest lambda, anonymous method or local
    /// function, else the member being analyzed.
    /// </summary>
    public static IMethodSymbol? EnclosingFunction(IOperation operation, ISymbol containingSymbol)
    {
        for (IOperation? current = operation.Parent; current is not null; current = current.Parent)
        {
            if (current is IAnonymousFunctionOperation lambda) return lambda.Symbol;
            if (current is ILocalFunctionOperation local) return local.Symbol;
        }
        return containingSymbol as IMethodSymbol;
    }

    /// <summary>True when <paramref name="function"/> is a coroutine: async, returning <c>Coroutine</c> or <c>Coroutine&lt;T&gt;</c>.</summary>
    public bool IsCoroutineFunction(IMethodSymbol? function) => function is { IsAsync: true } && IsCoroutine(function.ReturnType);
}
