using System.Text.Json;

namespace Asyncio;

/// <summary>A call of a <see cref="ProcessPoolExecutor"/>: the request frame, and where its reply goes.</summary>
internal abstract class ProcessJob : ExecutorJob
{
    protected ProcessJob(byte[] request) => Request = request;

    /// <summary>The encoded <see cref="WorkRequest"/>.</summary>
    public byte[] Request { get; }

    /// <summary>Delivers the worker's reply (the worker thread, after the job ran).</summary>
    public void Complete(WorkReply reply)
    {
        if (TryFinish()) Deliver(reply);
    }

    protected abstract void Deliver(WorkReply reply);
}

/// <summary>A process job whose outcome goes to a <see cref="Task{TResult}"/>.</summary>
/// <typeparam name="T">The result type.</typeparam>
internal sealed class ProcessJob<T> : ProcessJob
{
    private readonly TaskCompletionSource<T> _source = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _registration;
    private CancellationToken _token;

    public ProcessJob(byte[] request) : base(request) { }

    public Task<T> Task => _source.Task;

    /// <summary>Lets <paramref name="token"/> cancel the job while it is still queued.</summary>
    public void CancelWith(CancellationToken token)
    {
        if (!token.CanBeCanceled) return;
        _token = token;
        _registration = token.UnsafeRegister(static job => ((ProcessJob<T>)job!).TryCancel(), this);
    }

    protected override void Deliver(WorkReply reply)
    {
        _registration.Dispose();
        try
        {
            if (reply.Kind == "error")
            {
                _source.TrySetException(new RemoteException(reply.Type ?? "System.Exception", reply.Message ?? "", reply.Stack));
            }
            else
            {
                T result = reply.Value is JsonElement value ? value.Deserialize<T>()! : default!;
                _source.TrySetResult(result);
            }
        }
        catch (Exception error)
        {
            // The result did not deserialize into T: the job's caller gets the JSON error.
            _source.TrySetException(error);
        }
    }

    protected override void OnCancelled()
    {
        _registration.Dispose();
        _source.TrySetCanceled(_token);
    }

    protected override void OnFailed(Exception error)
    {
        _registration.Dispose();
        _source.TrySetException(error);
    }
}
