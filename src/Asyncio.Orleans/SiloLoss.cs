using System.Text.RegularExpressions;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Asyncio.Orleans;

/// <summary>Tells a grain call that failed because its silo was lost from one that failed for another reason.</summary>
internal static partial class SiloLoss
{
    /// <summary>True for the cluster's errors that mean the call's silo went away (or could not be reached) before replying.</summary>
    public static bool Is(Exception error) => error is SiloUnavailableException or ConnectionFailedException
        or OrleansMessageRejectionException;

    /// <summary>The silo address Orleans put in the error's message (<c>S127.0.0.1:11111:123456789</c>), or null.</summary>
    public static string? SiloOf(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            Match match = SiloAddress().Match(e.Message);
            if (match.Success) return match.Value;
        }
        return null;
    }

    [GeneratedRegex(@"S\d{1,3}(\.\d{1,3}){3}:\d+:\d+")]
    private static partial Regex SiloAddress();
}
