using Microsoft.Extensions.Logging;

namespace Asyncio;

/// <summary>
/// Process-wide settings a loop falls back on: debug mode from the environment, and where to log when the loop
/// has no logger of its own. They live here, beside the loop, so that the loop never reads the <see cref="Aio"/>
/// facade above it; <see cref="Aio.LoggerFactory"/> is this setting's public face.
/// </summary>
internal static class LoopDefaults
{
    /// <summary>True when the environment variable <c>AIO_DEBUG</c> is <c>1</c>: every new loop starts in debug mode.</summary>
    public static bool DebugFromEnvironment { get; } = Environment.GetEnvironmentVariable("AIO_DEBUG") == "1";

    /// <summary>Where loops log when their own <see cref="EventLoop.Logger"/> is not set; null: standard error.</summary>
    public static ILoggerFactory? LoggerFactory { get; set; }
}
