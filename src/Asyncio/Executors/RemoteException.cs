namespace Asyncio;

/// <summary>
/// An exception thrown by a job in a worker process of a <see cref="ProcessPoolExecutor"/>, carried back as
/// its type name, message and stack trace (the exception object itself cannot cross the process boundary).
/// <para>asyncio: the <c>_RemoteTraceback</c> that <c>ProcessPoolExecutor</c> chains to a re-raised error.</para>
/// </summary>
public sealed class RemoteException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="remoteType">The full name of the exception's type in the worker.</param>
    /// <param name="message">The exception's message.</param>
    /// <param name="remoteStackTrace">The exception's stack trace in the worker.</param>
    public RemoteException(string remoteType, string message, string? remoteStackTrace) : base(message)
    {
        RemoteType = remoteType;
        RemoteStackTrace = remoteStackTrace;
    }

    /// <summary>The full name of the exception's type in the worker, e.g. <c>System.DivideByZeroException</c>.</summary>
    public string RemoteType { get; }

    /// <summary>Where the exception was thrown in the worker process.</summary>
    public string? RemoteStackTrace { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{GetType().FullName}: {RemoteType}: {Message}{Environment.NewLine}--- remote stack trace ---{Environment.NewLine}{RemoteStackTrace}{Environment.NewLine}--- local ---{Environment.NewLine}{StackTrace}";
}
