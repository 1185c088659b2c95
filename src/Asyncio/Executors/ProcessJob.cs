using System.Diagnostics;
using System.Text.Json;

namespace Asyncio;

/// <summary>A call of a <see cref="ProcessPoolExecutor"/>: the request frame, and where its reply goes.</summary>
internal abstract class ProcessJob : ExecutorJob
{
    protected ProcessJob(byte[] request) => Request = request;

    /// <summary>The encoded <see cref="WorkRequest"/>.</summary>
    public byte[] Request { get; }

    /// <summary>Delivers the worker's reply that ends the job (the worker thread, after the job ran).</summary>
    public void Complete(WorkReply reply)
    {
        Debug.Assert(reply is ResultReply or ErrorReply, "output is printed by the worker thread, it does not end a job");
        if (TryFinish()) Deliver(reply);
    }

    protected abstract void Deliver(WorkReply reply);
}

/// <summary>A process job whose outcome goes to a <see cref="Task{TResult}"/>.</summary>
/// <typeparam name="T">The result type.</typeparam>
internal sealed class ProcessJob<T> : ProcessJob
{
    public ProcessJob(byte[] request) : base(request) { }

    public JobCompletion<T> Completion { get; } = new();

    protected override void Deliver(WorkReply reply)
    {
        if (reply is ErrorReply remote)
        {
            Completion.SetException(new RemoteException(remote.Type, remote.Message, remote.Stack));
            return;
        }
        T result;
        try
        {
            result = ((ResultReply)reply).Value is JsonElement value ? value.Deserialize<T>()! : default!;
        }
        catch (Exception error)
        {
            // The result did not deserialize into T: the job's caller gets the JSON error.
            Completion.SetException(error);
            return;
        }
        Completion.SetResult(result);
    }

    protected override void OnCancelled() => Completion.SetCanceled();

    protected override void OnFailed(Exception error) => Completion.SetException(error);
}
