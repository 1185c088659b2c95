using Microsoft.Extensions.Logging;

namespace Asyncio.Tests.Loop;

/// <summary>The loop's exception handler and its default log format (behaviour B128).</summary>
public class ExceptionHandlerTests
{
    private static readonly AsyncLocal<string?> s_var = new();

    private static void Boom() => throw new DivideByZeroException();

    private static void Boom(int code) => throw new DivideByZeroException($"code {code}");

    // B128
    [Fact]
    public void CallbackException_DoesNotStopTheLoop_AndReachesTheHandlerWithItsContext()
    {
        var loop = TestLoop.NewVirtual();
        var contexts = new List<ExceptionContext>();
        var log = new List<string>();
        loop.SetExceptionHandler((l, context) =>
        {
            Assert.Same(loop, l);
            contexts.Add(context);
        });
        loop.CallSoon(Boom);
        loop.CallSoon(log.Add, "after");
        loop.RunOnce();

        Assert.Equal(["after"], log);
        ExceptionContext report = Assert.Single(contexts);
        Assert.StartsWith("Exception in callback ", report.Message);
        Assert.Contains("Boom()", report.Message);
        Assert.IsType<DivideByZeroException>(report.Exception);
        Assert.NotNull(report.Handle);
        Assert.Equal(["exception", "handle", "message"], report.Keys);
        loop.Close();
    }

    // B128: the 'handle' of a failed timer or cross-thread callback is the handle the caller got.
    [Fact]
    public void TimerAndThreadsafeCallbackExceptions_ReportTheirOwnHandles()
    {
        var loop = TestLoop.NewVirtual();
        var handles = new List<Handle?>();
        var messages = new List<string>();
        loop.SetExceptionHandler((_, context) =>
        {
            handles.Add(context.Handle);
            messages.Add(context.Message);
        });
        TimerHandle timer = loop.CallLater(1, Boom, 0);
        Handle threadsafe = loop.CallSoonThreadsafe(Boom);
        loop.CallLater(2, loop.Stop);
        loop.RunForever();

        Assert.Equal([threadsafe, (Handle)timer], handles);
        Assert.All(messages, m => Assert.Contains("Boom()", m));
        loop.Close();
    }

    // B128
    [Fact]
    public void DefaultHandler_LogsTheMessageThenOneSortedKeyLinePerField()
    {
        var loop = TestLoop.NewVirtual();
        var logger = RecordingLogger.On(loop);
        loop.CallSoon(Boom);
        loop.RunOnce();

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.IsType<DivideByZeroException>(entry.Exception);
        string[] lines = entry.Message.Split(Environment.NewLine);
        Assert.StartsWith("Exception in callback ", lines[0]);
        Assert.Contains("Boom()", lines[0]);
        Assert.StartsWith("handle: <Handle", lines[1]);

        // Several fields come out sorted by key, after the message.
        logger.Entries.Clear();
        var future = loop.CreateFuture<int>();
        loop.CallExceptionHandler(new ExceptionContext("custom")
        {
            Future = future,
            Extra = new Dictionary<string, object?> { ["zeta"] = 1, ["alpha"] = "a" },
        });
        Assert.Equal(["custom", "alpha: a", $"future: {future}", "zeta: 1"],
            Assert.Single(logger.Entries).Message.Split(Environment.NewLine));
        loop.Close();
    }

    // B128: asyncio's call_exception_handler({}) logs 'Unhandled exception in event loop'.
    [Fact]
    public void CallExceptionHandler_WithoutAMessage_UsesTheDefaultMessage()
    {
        var loop = TestLoop.NewVirtual();
        var logger = RecordingLogger.On(loop);
        loop.CallExceptionHandler(new ExceptionContext(null!));

        Assert.Equal("Unhandled exception in event loop", Assert.Single(logger.Entries).Message);
        loop.Close();
    }

    // B128
    [Fact]
    public void HandlerThatThrows_IsReportedByTheDefaultHandler()
    {
        var loop = TestLoop.NewVirtual();
        var logger = RecordingLogger.On(loop);
        loop.SetExceptionHandler((_, _) => throw new InvalidOperationException("handler broke"));
        loop.CallSoon(Boom);
        loop.RunOnce();

        var entry = Assert.Single(logger.Entries);
        Assert.StartsWith("Unhandled error in exception handler", entry.Message);
        Assert.Equal("handler broke", entry.Exception?.Message);
        loop.Close();
    }

    // B128
    [Fact]
    public void SetExceptionHandler_Null_RestoresTheDefaultHandler()
    {
        var loop = TestLoop.NewVirtual();
        var logger = RecordingLogger.On(loop);
        Action<EventLoop, ExceptionContext> handler = (_, _) => { };
        loop.SetExceptionHandler(handler);
        Assert.Same(handler, loop.GetExceptionHandler());
        loop.SetExceptionHandler(null);
        Assert.Null(loop.GetExceptionHandler());
        loop.CallSoon(Boom);
        loop.RunOnce();

        Assert.Single(logger.Entries);
        loop.Close();
    }

    // B128 (3.12+): the handler runs in the context of the callback that failed.
    [Fact]
    public void Handler_RunsInTheContextOfTheFailedCallback()
    {
        var loop = TestLoop.NewVirtual();
        string? seen = "unset";
        loop.SetExceptionHandler((_, _) => seen = s_var.Value);
        s_var.Value = "foo";
        loop.CallSoon(() =>
        {
            s_var.Value = "bar";
            Boom();
        });
        s_var.Value = null;
        loop.RunOnce();

        Assert.Equal("bar", seen);
        loop.Close();
    }

    // B128 (3.12+): a report naming a task runs the handler in that task's context.
    [Fact]
    public void Handler_RunsInTheContextOfTheTaskNamedInTheReport()
    {
        var loop = TestLoop.NewVirtual();
        var seen = new List<string?>();
        loop.SetExceptionHandler((_, _) => seen.Add(s_var.Value));

        static async Coroutine SetsBar()
        {
            s_var.Value = "bar";
            await Aio.Sleep(0);
        }

        AioTask task = loop.CreateTask(SetsBar());
        loop.RunUntilComplete(task);
        s_var.Value = "foo";
        loop.CallExceptionHandler(new ExceptionContext("about the task") { Task = task });
        loop.CallExceptionHandler(new ExceptionContext("about the task as a future") { Future = task });
        loop.CallExceptionHandler(new ExceptionContext("about nothing"));

        Assert.Equal(["bar", "bar", "foo"], seen);
        Assert.Equal("foo", s_var.Value);
        s_var.Value = null;
        loop.Close();
    }
}
