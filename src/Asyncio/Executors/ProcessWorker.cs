using System.Diagnostics;

namespace Asyncio;

/// <summary>
/// One worker process of a <see cref="ProcessPoolExecutor"/> and the thread that feeds it: takes a job from
/// the pool's queue, sends it, blocks on the reply, and repeats. The process dying shows up as the end of
/// its output; that breaks the pool.
/// </summary>
internal sealed class ProcessWorker
{
    private readonly ProcessPoolExecutor _pool;
    private readonly Thread _thread;

    /// <summary>Null until started, and if the start failed.</summary>
    private Process? _process;

    public ProcessWorker(ProcessPoolExecutor pool, int number)
    {
        _pool = pool;
        _thread = new Thread(Run) { IsBackground = true, Name = $"ProcessPoolExecutor worker {number}" };
    }

    /// <summary>The worker's process id, once started.</summary>
    public int? ProcessId
    {
        get
        {
            try
            {
                return _process?.Id;
            }
            catch (InvalidOperationException)
            {
                return null;
            }
        }
    }

    public void Start() => _thread.UnsafeStart();

    public bool Join(TimeSpan timeout) => _thread == Thread.CurrentThread || _thread.Join(timeout);

    /// <summary>Kills the process (the pool broke); its feeding thread then sees the end of its output.</summary>
    public void Kill()
    {
        if (_process is { } process) LiveWorkerProcesses.Kill(process);
    }

    private void Run()
    {
        try
        {
            Process process;
            try
            {
                process = Process.Start(WorkerLauncher.StartInfo())!;
            }
            catch (Exception error)
            {
                _pool.Break("A process in the process pool could not be started", error);
                return;
            }
            _process = process;
            LiveWorkerProcesses.Add(process);
            Stream input = process.StandardInput.BaseStream;
            Stream output = process.StandardOutput.BaseStream;
            while (_pool.Queue.Take() is { } job)
            {
                if (!job.TryStart()) continue;
                if (!RunJob(job, input, output)) break;
            }
            try
            {
                input.Close();
            }
            catch (IOException)
            {
                // The process has gone already.
            }
            if (_pool.IsBroken) Kill();
            process.WaitForExit();
            LiveWorkerProcesses.Remove(process);
            process.Dispose();
        }
        finally
        {
            _pool.Queue.WorkerExited();
        }
    }

    /// <summary>Sends one job and waits for its reply; false when the process died under it.</summary>
    private bool RunJob(ProcessJob job, Stream input, Stream output)
    {
        try
        {
            WorkerProtocol.Write(input, job.Request);
            while (WorkerProtocol.Read(output) is { } frame)
            {
                WorkReply reply = WorkerProtocol.Decode<WorkReply>(frame);
                if (reply is OutputReply printed)
                {
                    Console.Out.Write(printed.Text);
                    continue;
                }
                job.Complete(reply);
                return true;
            }
        }
        catch (Exception e) when (e is IOException or EndOfStreamException or ObjectDisposedException or InvalidDataException)
        {
            // Same as the end of the output: the process is gone, or speaks something other than the protocol
            // (then it is killed with the others when the pool breaks below).
        }
        _pool.Break("A process in the process pool was terminated abruptly while the future was running or pending.", null);
        job.Fail(_pool.Queue.BrokenError());
        return false;
    }
}
