using System.IO.Pipes;

namespace Asyncio.Tests.Executors;

/// <summary>
/// A named pipe between a test and a job running in a worker process, so the test synchronises on what the job
/// does rather than on time: the job connects and sends its process id once it runs (<see cref="WaitForReport"/>),
/// and may wait for the test's go-ahead (<see cref="Release"/>).
/// </summary>
public sealed class JobPipe : IDisposable
{
    /// <summary>The test's end; one connection, the job's.</summary>
    private readonly NamedPipeServerStream _server;

    public JobPipe()
    {
        Name = $"aio-test-{Guid.NewGuid():N}";
        _server = new NamedPipeServerStream(Name, PipeDirection.InOut, 1, PipeTransmissionMode.Byte, PipeOptions.Asynchronous);
    }

    /// <summary>What the job is given to find the pipe.</summary>
    public string Name { get; }

    /// <summary>Blocks until the job has connected and sent its process id; returns it.</summary>
    /// <exception cref="TimeoutException">The job did not report within <paramref name="timeout"/>.</exception>
    public int WaitForReport(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var id = new byte[sizeof(int)];
        try
        {
            _server.WaitForConnectionAsync(deadline.Token).GetAwaiter().GetResult();
            _server.ReadExactlyAsync(id, deadline.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the job did not report on {Name} within {timeout}");
        }
        return BitConverter.ToInt32(id);
    }

    /// <summary>Sends the go-ahead to a job waiting for it on its end of the pipe.</summary>
    public void Release()
    {
        _server.WriteByte(1);
        _server.Flush();
    }

    public void Dispose() => _server.Dispose();

    /// <summary>The job's side: connects to the test's pipe and sends this process's id.</summary>
    public static NamedPipeClientStream Report(string name)
    {
        var client = new NamedPipeClientStream(".", name, PipeDirection.InOut);
        client.Connect(TimeSpan.FromSeconds(30));
        client.Write(BitConverter.GetBytes(Environment.ProcessId));
        client.Flush();
        return client;
    }
}
