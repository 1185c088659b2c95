using System.Globalization;
using System.Diagnostics;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Selectors;
using static Asyncio.Tests.Subprocesses.Children;

namespace Asyncio.Tests.Subprocesses;

/// <summary>
/// No child outlives its loop or the program, and no descriptor leaks: into this process or into other children.
/// Descriptors are counted over the whole process, so these run alone (the collection of whole-process measurements).
/// </summary>
[Collection(nameof(MemoryMeasurements))]
public class SubprocessLifetimeTests
{
    [LinuxFact]
    public void ClosingTheLoop_KillsAndReapsTheChildrenStillRunning()
    {
        string marker = UniqueSleepSeconds();
        var loop = SelectorLoops.NewEpoll();
        int[] pids = loop.RunUntilComplete(StartSleepers(marker, 3));
        Assert.Equal(3, WaitForChildrenWith(marker, 3));
        loop.Close();
        Assert.Equal(0, CountChildrenWith(marker));
        // Reaped, not left as zombies: the pids are no children of ours any more.
        Assert.All(pids, pid => Assert.False(File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat").Contains($") Z {Environment.ProcessId} ")));
    }

    [LinuxFact]
    public void ClosingTheLoop_KillsTheChildren_AlsoWhenAThreadWatchesThem()
    {
        string marker = UniqueSleepSeconds();
        ChildWatcher.UsePidfd = false;
        try
        {
            var loop = SelectorLoops.NewEpoll();
            loop.RunUntilComplete(StartSleepers(marker, 2));
            Assert.Equal(2, WaitForChildrenWith(marker, 2));
            loop.Close();
            Assert.Equal(0, CountChildrenWith(marker));
        }
        finally
        {
            ChildWatcher.UsePidfd = true;
        }
    }

    [LinuxFact]
    public void ClosingTheLoop_ClosesThePipesStillOpen_NoDescriptorLeaks()
    {
        Warm();
        int before = SelectorLoops.OpenDescriptors();
        for (int i = 0; i < 10; i++)
        {
            var loop = SelectorLoops.NewEpoll();
            loop.RunUntilComplete(StartCat());
            loop.Close();
        }
        int after = SelectorLoops.OpenDescriptors();
        // A leak would be 40: three pipes and a pidfd per child.
        Assert.True(after - before < 5, $"{before} descriptors open before, {after} after");
    }

    [LinuxFact]
    public void AfterCommunicate_EveryPipeAndPidfdIsClosed_EvenBeforeTheLoopCloses()
    {
        Warm();
        var (before, after) = Run(async () =>
        {
            int before = SelectorLoops.OpenDescriptors();
            for (int i = 0; i < 20; i++)
            {
                AsyncProcess proc = await Aio.CreateSubprocessExec("cat", stdin: Subprocess.Pipe, stdout: Subprocess.Pipe, stderr: Subprocess.Pipe);
                await proc.CommunicateAsync(Bytes("x"));
            }
            await Aio.Sleep(0.05);   // the last connection-lost calls run in a later iteration
            return (before, SelectorLoops.OpenDescriptors());
        });
        Assert.True(after - before < 5, $"{before} descriptors open before, {after} after");
    }

    [LinuxFact]
    public void AChild_InheritsOnlyItsStandardStreams_NotOtherChildrensPipes()
    {
        string[] fds = Run(async () =>
        {
            // Another child's pipes are open in this process while the second child starts.
            AsyncProcess other = await Aio.CreateSubprocessExec("cat", stdin: Subprocess.Pipe, stdout: Subprocess.Pipe, stderr: Subprocess.Pipe);
            AsyncProcess lister = await Aio.CreateSubprocessExec("ls", ["/proc/self/fd"], stdin: Subprocess.Pipe, stdout: Subprocess.Pipe);
            var (stdout, _) = await lister.CommunicateAsync();
            await other.CommunicateAsync();
            return Text(stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        });
        // 0, 1, 2, and the directory ls itself opened to list.
        Assert.Equal(["0", "1", "2", "3"], fds.Order());
    }

    [LinuxFact]
    public void TheProgramsExit_KillsTheChildrenOfALoopNeverClosed()
    {
        int grandchild = Run(async () =>
        {
            string host = Path.Combine(AppContext.BaseDirectory, "Asyncio.CtrlCHost.dll");
            // The host's loop is a default one: epoll, even when this suite runs with AIO_SELECTOR=wait.
            var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .ToDictionary(e => (string)e.Key, e => (string)e.Value!);
            env["AIO_SELECTOR"] = "epoll";
            AsyncProcess proc = await Aio.CreateSubprocessExec(WorkerLauncher.DotnetHost(), [host, "orphan"], stdout: Subprocess.Pipe, env: env);
            var (stdout, _) = await proc.CommunicateAsync();
            Assert.Equal(0, proc.ReturnCode);
            string line = Text(stdout).Trim();
            Assert.StartsWith("child ", line);
            return int.Parse(line["child ".Length..], CultureInfo.InvariantCulture);
        }, limitSeconds: 120);
        Assert.True(Eventually(() => IsDead(grandchild)), $"the child {grandchild} of the ended program still runs");
    }

    [LinuxFact]
    public void ABigOutputNobodyReads_ThenTheLoopCloses_NothingHangs()
    {
        var watch = Stopwatch.StartNew();
        var loop = SelectorLoops.NewEpoll();
        loop.RunUntilComplete(StartYes());
        loop.Close();
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20));
    }

    private static async Coroutine<int[]> StartSleepers(string seconds, int count)
    {
        var pids = new int[count];
        for (int i = 0; i < count; i++) pids[i] = (await Aio.CreateSubprocessExec("sleep", [seconds])).Pid;
        return pids;
    }

    private static async Coroutine<int> StartCat() =>
        (await Aio.CreateSubprocessExec("cat", stdin: Subprocess.Pipe, stdout: Subprocess.Pipe, stderr: Subprocess.Pipe)).Pid;

    private static async Coroutine<int> StartYes()
    {
        AsyncProcess proc = await Aio.CreateSubprocessExec("yes", stdout: Subprocess.Pipe);
        await Aio.Sleep(0.1);   // the output buffer fills and the reader pauses
        return proc.Pid;
    }

    /// <summary>The runtime opens descriptors of its own on first use: start one child before counting.</summary>
    private static void Warm() => Run(async () => await (await Aio.CreateSubprocessExec("true")).WaitAsync());

}
