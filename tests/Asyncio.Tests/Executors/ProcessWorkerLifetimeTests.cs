using System.Diagnostics;

// Executors are concurrent.futures: their futures are waited on by blocking, as Python code does.
#pragma warning disable xUnit1031

namespace Asyncio.Tests.Executors;

/// <summary>
/// No worker process outlives the program that started it, even busy with a job: not after a normal exit, not
/// after SIGTERM, not after SIGKILL. The program is a worker of a pool of the test (a real process that the test
/// can end in each of these ways) running <see cref="ProcessJobs.StartBusyPool"/>, which leaves a pool of its own
/// with every worker busy for a minute.
/// </summary>
public class ProcessWorkerLifetimeTests
{
    /// <summary>A bound for failures only: the workers go within a fraction of a second.</summary>
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    [LinuxFact]
    public void ProgramExitingNormally_TakesItsBusyWorkersWithIt()
    {
        using var program = BusyProgram.Start(workers: 2);
        program.ExitNormally();
        Assert.True(LinuxProcess.WaitUntilGone(program.Workers, Generous), program.Describe());
    }

    [LinuxFact]
    public void ProgramTerminatedBySigterm_TakesItsBusyWorkersWithIt()
    {
        using var program = BusyProgram.Start(workers: 2);
        program.Process.Signal(LinuxProcess.SIGTERM);
        Assert.True(LinuxProcess.WaitUntilGone(program.Workers, Generous), program.Describe());
    }

    [LinuxFact]
    public void ProgramKilledBySigkill_ItsBusyWorkersNoticeAndExit()
    {
        using var program = BusyProgram.Start(workers: 2);
        program.Process.Signal(LinuxProcess.SIGKILL);
        Assert.True(LinuxProcess.WaitUntilGone(program.Workers, Generous), program.Describe());
    }

    [Fact]
    public void ShutdownWithoutWait_ReturnsWhileAJobIsRunning()
    {
        using var held = HeldJob.Start();
        // The job cannot end before the test releases it: a Shutdown that waited for it would never return.
        Assert.True(Task.Run(() => held.Pool.Shutdown(wait: false)).Wait(Generous));
        Assert.False(held.Job.IsCompleted);
    }

    [Fact]
    public void ShutdownWithoutWait_LetsTheRunningJobFinish()
    {
        using var held = HeldJob.Start();
        held.Pool.Shutdown(wait: false);
        held.Release();
        Assert.True(held.Job.Wait(Generous));
        Assert.Equal(7, held.Job.Result);
    }

    /// <summary>A pool of one worker that runs a job waiting for the test's go-ahead. Disposing kills the worker.</summary>
    private sealed class HeldJob : IDisposable
    {
        private readonly JobPipe _pipe = new();

        private HeldJob()
        {
            Job = Pool.Submit(ProcessJobs.ReportThenWaitForRelease, _pipe.Name);
        }

        public ProcessPoolExecutor Pool { get; } = new(maxWorkers: 1);

        public Task<int> Job { get; }

        /// <summary>Submits the job and returns once it runs in the worker.</summary>
        public static HeldJob Start()
        {
            var held = new HeldJob();
            try
            {
                held._pipe.WaitForReport(Generous);
                return held;
            }
            catch
            {
                held.Dispose();
                throw;
            }
        }

        public void Release() => _pipe.Release();

        public void Dispose()
        {
            foreach (int id in Pool.WorkerProcessIds)
            {
                try
                {
                    using var worker = Process.GetProcessById(id);
                    worker.Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException)
                {
                    // Exited already.
                }
            }
            _pipe.Dispose();
        }
    }

    /// <summary>
    /// The program of these tests: one worker of a pool of the test, which has started a pool of its own whose
    /// workers have each reported that they run their job. Disposing kills whatever is left of all of them.
    /// </summary>
    private sealed class BusyProgram : IDisposable
    {
        private readonly ProcessPoolExecutor _launcher;
        private readonly JobPipe[] _pipes;

        private BusyProgram(ProcessPoolExecutor launcher, JobPipe[] pipes)
        {
            _launcher = launcher;
            _pipes = pipes;
        }

        /// <summary>The program's process.</summary>
        public LinuxProcess Process { get; private set; } = null!;

        /// <summary>Its pool's workers, each busy with a job.</summary>
        public List<LinuxProcess> Workers { get; } = new();

        public static BusyProgram Start(int workers)
        {
            var program = new BusyProgram(new ProcessPoolExecutor(maxWorkers: 1), Enumerable.Range(0, workers).Select(_ => new JobPipe()).ToArray());
            try
            {
                Task<int> started = program._launcher.Submit(ProcessJobs.StartBusyPool, program._pipes.Select(p => p.Name).ToArray());
                Assert.True(started.Wait(Generous));
                program.Process = LinuxProcess.Find(started.Result);
                foreach (JobPipe pipe in program._pipes) program.Workers.Add(LinuxProcess.Find(pipe.WaitForReport(Generous)));
                return program;
            }
            catch
            {
                program.Dispose();
                throw;
            }
        }

        /// <summary>Ends the program as a program ends by itself: its <c>Main</c> returns (its input is closed).</summary>
        public void ExitNormally() => _launcher.Shutdown(wait: false);

        public string Describe() =>
            $"program {Process.Id} ({(Process.IsGone ? "gone" : "running")}), workers still running: "
            + string.Join(", ", Workers.Where(w => !w.IsGone).Select(w => w.Id));

        public void Dispose()
        {
            foreach (LinuxProcess worker in Workers) worker.Signal(LinuxProcess.SIGKILL);
            Process?.Signal(LinuxProcess.SIGKILL);
            _launcher.Shutdown(wait: false);
            foreach (JobPipe pipe in _pipes) pipe.Dispose();
        }
    }
}
