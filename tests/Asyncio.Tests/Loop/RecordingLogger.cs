using Microsoft.Extensions.Logging;

namespace Asyncio.Tests.Loop;

/// <summary>An <see cref="ILogger"/> that keeps what the loop logs, for asserting on the report's text.</summary>
internal sealed class RecordingLogger : ILogger
{
    /// <summary>Everything logged, in order.</summary>
    public List<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

    /// <summary>A new recorder made <paramref name="loop"/>'s logger.</summary>
    public static RecordingLogger On(EventLoop loop)
    {
        var logger = new RecordingLogger();
        loop.Logger = logger;
        return logger;
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter)
    {
        lock (Entries) Entries.Add((logLevel, formatter(state, exception), exception));
    }
}
