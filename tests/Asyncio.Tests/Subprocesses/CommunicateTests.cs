using System.Globalization;
using System.Security.Cryptography;
using Asyncio.Tests.Executors;
using static Asyncio.Tests.Subprocesses.Children;

namespace Asyncio.Tests.Subprocesses;

/// <summary><c>CommunicateAsync</c>: input, both outputs at once, large volumes, and what cancelling keeps.</summary>
public class CommunicateTests
{
    private const int FiftyMegabytes = 50 * 1024 * 1024;

    [LinuxFact]
    public void Communicate_WritesTheInput_AndGivesTheOutput()
    {
        var (stdout, stderr, code) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("cat", stdin: Subprocess.Pipe, stdout: Subprocess.Pipe);
            var (stdout, stderr) = await proc.CommunicateAsync(Bytes("abc"));
            return (Text(stdout), stderr, proc.ReturnCode);
        });
        Assert.Equal("abc", stdout);
        Assert.Empty(stderr);
        Assert.Equal(0, code);
    }

    [LinuxFact]
    public void Communicate_FiftyMegabytesThroughCat_BothWaysAtOnce_WithoutDeadlock()
    {
        byte[] input = RandomNumberGenerator.GetBytes(FiftyMegabytes);
        byte[] output = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("cat", stdin: Subprocess.Pipe, stdout: Subprocess.Pipe);
            var (stdout, _) = await proc.CommunicateAsync(input);
            return stdout;
        }, limitSeconds: 120);
        Assert.Equal(input.Length, output.Length);
        Assert.Equal(SHA256.HashData(input), SHA256.HashData(output));
    }

    [LinuxFact]
    public void Communicate_FiftyMegabytesOnStdoutWhileStderrAlsoWrites()
    {
        var (stdoutLength, stderrLength) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessShell(
                $"head -c 1000000 /dev/zero >&2; head -c {FiftyMegabytes} /dev/zero; head -c 1000000 /dev/zero >&2",
                stdout: Subprocess.Pipe, stderr: Subprocess.Pipe);
            var (stdout, stderr) = await proc.CommunicateAsync();
            return (stdout.Length, stderr.Length);
        }, limitSeconds: 120);
        Assert.Equal((FiftyMegabytes, 2_000_000), (stdoutLength, stderrLength));
    }

    [LinuxFact]
    public void Communicate_AChildThatNeverReadsItsInput_IsNoError()
    {
        int code = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("true", stdin: Subprocess.Pipe);
            await proc.CommunicateAsync(new byte[4 * 1024 * 1024]);   // far more than a pipe holds: a broken pipe
            return proc.ReturnCode!.Value;
        });
        Assert.Equal(0, code);
    }

    [LinuxFact]
    public void Communicate_WithoutPipes_GivesEmptyArrays_AfterTheExit()
    {
        var (stdout, stderr, code) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("sh", ["-c", "exit 4"]);
            var (stdout, stderr) = await proc.CommunicateAsync();
            return (stdout, stderr, proc.ReturnCode);
        });
        Assert.Empty(stdout);
        Assert.Empty(stderr);
        Assert.Equal(4, code);
    }

    [LinuxFact]
    public void WaitCancelled_LeavesTheChildRunning_AndAWaitAfterwardsGetsTheCode()
    {
        var (codeAtTimeout, code) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("sh", ["-c", "sleep 0.3; exit 6"]);
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(proc.WaitAsync(), 0.05));
            int? codeAtTimeout = proc.ReturnCode;
            return (codeAtTimeout, await proc.WaitAsync());
        });
        Assert.Null(codeAtTimeout);
        Assert.Equal(6, code);
    }

    [LinuxFact]
    public void CommunicateCancelled_LosesNoOutput_TheReaderStillHasIt()
    {
        string output = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessShell("echo first; sleep 0.3; echo second", stdout: Subprocess.Pipe);
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(proc.CommunicateAsync(), 0.1));
            Assert.Null(proc.ReturnCode);
            byte[] all = await proc.Stdout!.ReadAsync();
            await proc.WaitAsync();
            return Text(all);
        });
        Assert.Equal("first\nsecond\n", output);
    }

    [LinuxFact]
    public void CommunicateCancelled_ThenCommunicateAgain_GetsEverything()
    {
        var (stdout, code) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessShell("echo first; sleep 0.3; echo second", stdout: Subprocess.Pipe);
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(proc.CommunicateAsync(), 0.1));
            var (stdout, _) = await proc.CommunicateAsync();
            return (Text(stdout), proc.ReturnCode);
        });
        Assert.Equal(("first\nsecond\n", 0), (stdout, code));
    }

    [LinuxFact]
    public void StdinDrain_PausesWhileTheChildDoesNotRead_ThenResumes()
    {
        var (bufferedWhilePaused, total) = Run(async () =>
        {
            // The child reads nothing for a while: the pipe (64 KiB) and then the transport's buffer fill up.
            AsyncProcess proc = await Aio.CreateSubprocessShell("sleep 0.3; wc -c", stdin: Subprocess.Pipe, stdout: Subprocess.Pipe);
            proc.Stdin!.Write(new byte[1024 * 1024]);
            int buffered = proc.Stdin.Transport.GetWriteBufferSize();
            await proc.Stdin.DrainAsync();
            proc.Stdin.Close();
            var (stdout, _) = await proc.CommunicateAsync();
            return (buffered, int.Parse(Text(stdout).Trim(), CultureInfo.InvariantCulture));
        });
        Assert.True(bufferedWhilePaused > 64 * 1024, $"{bufferedWhilePaused} bytes buffered");
        Assert.Equal(1024 * 1024, total);
    }

    [LinuxFact]
    public void OnVirtualTime_AWaitedChildHoldsTheClock_ATimeoutAroundItMeasuresItsRealRun()
    {
        var loop = Selectors.SelectorLoops.NewEpoll(virtualTime: true);
        var (code, stdout) = Selectors.SelectorLoops.Run(loop, async () =>
        {
            AsyncProcess waited = await Aio.CreateSubprocessExec("sleep", ["0.3"]);
            int code = await Aio.WaitFor(waited.WaitAsync(), 5);
            AsyncProcess communicated = await Aio.CreateSubprocessShell("sleep 0.3; echo done", stdout: Subprocess.Pipe);
            var (stdout, _) = await Aio.WaitFor(communicated.CommunicateAsync(), 5);
            return (code, Text(stdout));
        });
        Assert.Equal((0, "done\n"), (code, stdout));
    }

    [LinuxFact]
    public void OnVirtualTime_AChildNobodyWaitsFor_HoldsNothing()
    {
        var loop = Selectors.SelectorLoops.NewEpoll(virtualTime: true);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Selectors.SelectorLoops.Run(loop, async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("sleep", ["30"]);
            await Aio.Sleep(3600);
            // A wait that is cancelled stops holding the clock too.
            AioTask<int> wait = Aio.CreateTask(proc.WaitAsync());
            await Aio.Sleep(0);
            wait.Cancel();
            await Assert.ThrowsAsync<CancelledError>(async () => await wait);
            await Aio.Sleep(3600);
            proc.Kill();
            await proc.WaitAsync();
        });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"{watch.Elapsed} of real time");
    }
}
