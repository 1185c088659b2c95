using System.CommandLine;

namespace Asyncio.Cli.Fetch;

/// <summary>Placeholder while the engine is written.</summary>
internal static class FetchCommand
{
    public static Command Create() => new Commands.AioCommand("fetch", "Download files safely, resuming where a previous run stopped.", "aio fetch [options] URL ...");
}
