namespace Asyncio.Analyzers;

/// <summary>
/// The rule ids and the diagnostic properties the code fixes read. Shared by the analyzer and the code-fix
/// assemblies as a linked file, so that neither references the other.
/// </summary>
internal static class RuleIds
{
    /// <summary>A coroutine (or another lazy awaitable) made by a call and dropped without being awaited.</summary>
    public const string NeverAwaited = "AIO001";

    /// <summary>A call that blocks the thread, inside a coroutine: it blocks the whole event loop.</summary>
    public const string BlockingCall = "AIO002";

    /// <summary><c>Aio.CreateTask</c> inside a task group's body: the task escapes the group.</summary>
    public const string TaskEscapesGroup = "AIO003";

    /// <summary>AIO001: "true" when the dropped call is inside an async function, where awaiting it is a fix.</summary>
    public const string CanAwaitProperty = "CanAwait";

    /// <summary>AIO002: which fix applies; one of the <c>Fix*</c> values, absent when none does.</summary>
    public const string FixProperty = "Fix";

    /// <summary>AIO002: <c>Thread.Sleep</c> becomes <c>await Aio.Sleep</c>.</summary>
    public const string FixSleep = "Sleep";

    /// <summary>AIO002: a synchronous wait for a task (<c>.Result</c>, <c>.Wait()</c>, <c>.GetAwaiter().GetResult()</c>) becomes an await.</summary>
    public const string FixAwait = "Await";

    /// <summary>AIO002: the call moves to a worker thread with <c>await Aio.ToThread(() =&gt; call)</c>.</summary>
    public const string FixToThread = "ToThread";

    /// <summary>AIO002 with <see cref="FixSleep"/>: the argument of <c>Aio.Sleep</c> in seconds, or one of the <c>Sleep*</c> markers.</summary>
    public const string SleepSecondsProperty = "SleepSeconds";

    /// <summary>The sleep's argument is a <c>TimeSpan</c>, which <c>Aio.Sleep</c> takes as it is.</summary>
    public const string SleepTimeSpan = "TimeSpan";

    /// <summary>The sleep's argument is a non-constant number of milliseconds: divide it by 1000.0.</summary>
    public const string SleepMilliseconds = "Milliseconds";

    /// <summary>AIO003: the name of the group (the body's parameter or the <c>await using</c> variable).</summary>
    public const string GroupProperty = "Group";
}
