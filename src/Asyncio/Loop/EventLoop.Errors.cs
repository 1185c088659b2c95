using Microsoft.Extensions.Logging;

namespace Asyncio;

public sealed partial class EventLoop
{
    /// <summary>The handler set with <see cref="SetExceptionHandler"/>; null means the default one.</summary>
    private Action<EventLoop, ExceptionContext>? _exceptionHandler;

    /// <summary>
    /// Where the default exception handler and debug warnings are logged. When null, the logger of
    /// <see cref="Aio.LoggerFactory"/> is used, and when that is null too, standard error.
    /// </summary>
    public ILogger? Logger { get; set; }

    /// <summary>
    /// Sets the handler called for errors nobody else can receive: exceptions escaping callbacks,
    /// exceptions never retrieved from futures, tasks destroyed while pending. Null restores the default.
    /// <para>asyncio: <c>loop.set_exception_handler(handler)</c>.</para>
    /// </summary>
    /// <param name="handler">Called as <c>handler(loop, context)</c> on the loop thread.</param>
    public void SetExceptionHandler(Action<EventLoop, ExceptionContext>? handler) => _exceptionHandler = handler;

    /// <summary>
    /// The handler set with <see cref="SetExceptionHandler"/>, or null for the default.
    /// <para>asyncio: <c>loop.get_exception_handler()</c>.</para>
    /// </summary>
    public Action<EventLoop, ExceptionContext>? GetExceptionHandler() => _exceptionHandler;

    /// <summary>
    /// Reports an error to the current exception handler. A handler that throws is itself reported through
    /// the default handler; nothing here ever throws.
    /// <para>asyncio: <c>loop.call_exception_handler(context)</c>.</para>
    /// </summary>
    /// <param name="context">What happened.</param>
    public void CallExceptionHandler(ExceptionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Action<EventLoop, ExceptionContext>? handler = _exceptionHandler;
        if (handler is null)
        {
            SafeDefault(context);
            return;
        }
        try
        {
            // As in Python 3.12+, the handler runs in the context of the task the report is about.
            if ((context.Task ?? context.Future as AioTask)?.Context is { } taskContext)
            {
                ExecutionContext.Run(taskContext, static state =>
                {
                    var (handler, loop, context) = ((Action<EventLoop, ExceptionContext>, EventLoop, ExceptionContext))state!;
                    handler(loop, context);
                }, (handler, this, context));
            }
            else handler(this, context);
        }
        catch (Exception error)
        {
            SafeDefault(new ExceptionContext("Unhandled error in exception handler")
            {
                Exception = error,
                Extra = new Dictionary<string, object?> { ["context"] = context },
            });
        }
    }

    /// <summary>
    /// The default handler: logs the message, then one <c>key: value</c> line for each other field, then the
    /// exception with its stack trace.
    /// <para>asyncio: <c>loop.default_exception_handler(context)</c>.</para>
    /// </summary>
    /// <param name="context">What happened.</param>
    public void DefaultExceptionHandler(ExceptionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ILogger? logger = Logger ?? LoopDefaults.LoggerFactory?.CreateLogger("Asyncio");
        if (logger is null)
        {
            WriteToStandardError(context);
            return;
        }
#pragma warning disable CA2254 // the text is the report itself, as asyncio logs it
        logger.LogError(context.Exception, context.Format(includeException: false));
#pragma warning restore CA2254
    }

    private void SafeDefault(ExceptionContext context)
    {
        try
        {
            DefaultExceptionHandler(context);
        }
        catch (Exception error)
        {
            // The last resort: the logger itself failed.
            WriteToStandardError(new ExceptionContext("Exception in default exception handler") { Exception = error });
            WriteToStandardError(context);
        }
    }

    /// <summary>Reports from any thread (a finalizer): on the loop when it can still run callbacks.</summary>
    internal void CallExceptionHandlerFromAnyThread(ExceptionContext context)
    {
        if (!PostToInbox(static (loop, ctx) => ((EventLoop)loop!).CallExceptionHandler((ExceptionContext)ctx!), this, context, null))
        {
            CallExceptionHandler(context);
        }
    }

    /// <summary>Writes a report to standard error, as asyncio's logger does by default.</summary>
    internal static void WriteToStandardError(ExceptionContext context)
    {
        try
        {
            Console.Error.WriteLine(context.Format(includeException: true));
        }
        catch (IOException)
        {
            // Nowhere left to report to.
        }
    }

    private void LogWarning(string message)
    {
        ILogger? logger = Logger ?? LoopDefaults.LoggerFactory?.CreateLogger("Asyncio");
#pragma warning disable CA2254
        if (logger is not null) logger.LogWarning(message);
#pragma warning restore CA2254
        else Console.Error.WriteLine(message);
    }
}

/// <summary>
/// What the loop tells its exception handler: a message and the objects involved.
/// <para>asyncio: the <c>context</c> dict passed to the exception handler.</para>
/// </summary>
public sealed class ExceptionContext
{
    /// <summary>Creates a context with a message.</summary>
    /// <param name="message">What happened (asyncio's <c>'message'</c> key).</param>
    public ExceptionContext(string message) => Message = message ?? "Unhandled exception in event loop";

    /// <summary>What happened (asyncio's <c>'message'</c>).</summary>
    public string Message { get; }

    /// <summary>The exception, if any (asyncio's <c>'exception'</c>).</summary>
    public Exception? Exception { get; init; }

    /// <summary>The future involved, if any (asyncio's <c>'future'</c>).</summary>
    public Future? Future { get; init; }

    /// <summary>The task involved, if any (asyncio's <c>'task'</c>).</summary>
    public AioTask? Task { get; init; }

    /// <summary>The callback handle involved, if any (asyncio's <c>'handle'</c>).</summary>
    public Handle? Handle { get; init; }

    /// <summary>Any other fields, printed sorted by key.</summary>
    public IReadOnlyDictionary<string, object?>? Extra { get; init; }

    /// <summary>The names of the fields that are set, sorted, as asyncio's context keys.</summary>
    public IReadOnlyList<string> Keys
    {
        get
        {
            var keys = new List<string> { "message" };
            if (Exception is not null) keys.Add("exception");
            if (Future is not null) keys.Add("future");
            if (Task is not null) keys.Add("task");
            if (Handle is not null) keys.Add("handle");
            if (Extra is not null) keys.AddRange(Extra.Keys);
            keys.Sort(StringComparer.Ordinal);
            return keys;
        }
    }

    /// <summary>The report as asyncio's default handler writes it.</summary>
    internal string Format(bool includeException)
    {
        var lines = new List<string> { Message };
        var fields = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        if (Future is not null) fields["future"] = Future;
        if (Task is not null) fields["task"] = Task;
        if (Handle is not null) fields["handle"] = Handle;
        if (Extra is not null) foreach (var (key, value) in Extra) fields[key] = value;
        foreach (var (key, value) in fields) lines.Add($"{key}: {value}");
        if (includeException && Exception is not null) lines.Add(Exception.ToString());
        return string.Join(Environment.NewLine, lines);
    }

    /// <inheritdoc/>
    public override string ToString() => Format(includeException: true);
}
