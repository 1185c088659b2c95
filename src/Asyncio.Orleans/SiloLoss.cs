using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace Asyncio.Orleans;

/// <summary>Tells a grain call that failed because its silo was lost from one that failed for another reason.</summary>
internal static class SiloLoss
{
    /// <summary>True for the cluster's errors that mean the call's silo went away (or could not be reached) before replying.</summary>
    public static bool Is(Exception error) => error is SiloUnavailableException or ConnectionFailedException
        or OrleansMessageRejectionException;

    /// <summary>True for the errors of a call that never reached a silo (rejected while it was being sent): the job did not run.</summary>
    public static bool NotDelivered(Exception error) => error is OrleansMessageRejectionException or ConnectionFailedException;

}
