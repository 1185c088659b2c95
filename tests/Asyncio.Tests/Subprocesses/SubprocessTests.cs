using System.Globalization;
using Asyncio.Tests.Executors;
using Asyncio.Tests.Selectors;
using static Asyncio.Tests.Subprocesses.Children;

namespace Asyncio.Tests.Subprocesses;

/// <summary>Starting children, their pipes, exit and signals (CPython: <c>test_asyncio/test_subprocess.py</c>).</summary>
public class SubprocessTests
{
    [LinuxFact]
    public void Cat_EchoesStdinToStdout_ThenExitsZeroAtEof()
    {
        var (line, rest, code) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("cat", stdin: Subprocess.Pipe, stdout: Subprocess.Pipe);
            proc.Stdin!.Write(Bytes("hello\n"));
            await proc.Stdin.DrainAsync();
            byte[] line = await proc.Stdout!.ReadLineAsync();
            proc.Stdin.Write(Bytes("world"));
            proc.Stdin.Close();
            byte[] rest = await proc.Stdout.ReadAsync();
            return (Text(line), Text(rest), await proc.WaitAsync());
        });
        Assert.Equal(("hello\n", "world", 0), (line, rest, code));
    }

    [LinuxFact]
    public void Shell_RunsACommandLineWithAPipeline()
    {
        string output = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessShell("echo hi | wc -c", stdout: Subprocess.Pipe);
            var (stdout, _) = await proc.CommunicateAsync();
            return Text(stdout).Trim();
        });
        Assert.Equal("3", output);
    }

    [LinuxFact]
    public void Shell_UnknownCommand_IsReturnCode127NotAnException()
    {
        int code = Run(async () => await (await Aio.CreateSubprocessShell("no-such-command-xyz 2>/dev/null")).WaitAsync());
        Assert.Equal(127, code);
    }

    [LinuxFact]
    public void ReturnCode_IsNullWhileRunning_ThenTheExitStatus()
    {
        var (before, waited, after) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("sh", ["-c", "sleep 0.1; exit 7"]);
            int? before = proc.ReturnCode;
            int waited = await proc.WaitAsync();
            return (before, waited, proc.ReturnCode);
        });
        Assert.Null(before);
        Assert.Equal(7, waited);
        Assert.Equal(7, after);
    }

    [LinuxFact]
    public void WaitAsync_AfterExit_GivesTheSameCodeAgain()
    {
        var codes = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("false");
            return (await proc.WaitAsync(), await proc.WaitAsync());
        });
        Assert.Equal((1, 1), codes);
    }

    [LinuxFact]
    public void TwoWaiters_BothGetTheCode()
    {
        int[] codes = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("sh", ["-c", "exit 3"]);
            return await Aio.Gather(proc.WaitAsync(), proc.WaitAsync());
        });
        Assert.Equal([3, 3], codes);
    }

    [LinuxTheory]
    [InlineData("Kill", -9)]
    [InlineData("Terminate", -15)]
    [InlineData("SendSignal(2)", -2)]
    public void EndedByASignal_TheReturnCodeIsMinusItsNumber(string how, int expected)
    {
        int code = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("sleep", ["30"]);
            Action end = how switch
            {
                "Kill" => proc.Kill,
                "Terminate" => proc.Terminate,
                _ => () => proc.SendSignal(2),
            };
            end();
            return await proc.WaitAsync();
        });
        Assert.Equal(expected, code);
    }

    [LinuxFact]
    public void Kill_AfterTheChildWasReaped_Throws()
    {
        Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("true");
            await proc.WaitAsync();
            Assert.Throws<InvalidOperationException>(proc.Kill);
            Assert.Throws<InvalidOperationException>(proc.Terminate);
            Assert.Throws<InvalidOperationException>(() => proc.SendSignal(15));
        });
    }

    [LinuxFact]
    public void KilledFromOutside_WithKill9_WaitGivesMinusNine()
    {
        int code = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("sleep", ["30"]);
            AsyncProcess killer = await Aio.CreateSubprocessExec("kill", ["-9", proc.Pid.ToString(CultureInfo.InvariantCulture)]);
            Assert.Equal(0, await killer.WaitAsync());
            return await proc.WaitAsync();
        });
        Assert.Equal(-9, code);
    }

    [LinuxFact]
    public void StderrStdout_MergesStderrIntoStdout()
    {
        var (stdout, stderrReader) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("sh", ["-c", "echo out; echo err >&2"],
                stdout: Subprocess.Pipe, stderr: Subprocess.Stdout);
            var (stdout, _) = await proc.CommunicateAsync();
            return (Text(stdout), proc.Stderr);
        });
        Assert.Equal("out\nerr\n", stdout);
        Assert.Null(stderrReader);
    }

    [LinuxFact]
    public void Stderr_AsItsOwnPipe_KeepsTheStreamsApart()
    {
        var (stdout, stderr) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("sh", ["-c", "echo out; echo err >&2"],
                stdout: Subprocess.Pipe, stderr: Subprocess.Pipe);
            var (stdout, stderr) = await proc.CommunicateAsync();
            return (Text(stdout), Text(stderr));
        });
        Assert.Equal(("out\n", "err\n"), (stdout, stderr));
    }

    [LinuxFact]
    public void DevNull_AsStdin_GivesEofAtOnce()
    {
        var (stdout, code) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("cat", stdin: Subprocess.DevNull, stdout: Subprocess.Pipe);
            var (stdout, _) = await proc.CommunicateAsync();
            return (stdout, proc.ReturnCode);
        });
        Assert.Empty(stdout);
        Assert.Equal(0, code);
    }

    [LinuxFact]
    public void DevNull_AsStdout_DiscardsTheOutput_AndMakesNoReader()
    {
        var (reader, code) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("echo", ["lost"], stdout: Subprocess.DevNull);
            return (proc.Stdout, await proc.WaitAsync());
        });
        Assert.Null(reader);
        Assert.Equal(0, code);
    }

    [LinuxFact]
    public void ByDefault_TheStreamsAreInherited_AndNoStreamObjectsExist()
    {
        var streams = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("true");
            await proc.WaitAsync();
            return (proc.Stdin, proc.Stdout, proc.Stderr);
        });
        Assert.Equal((null, null, null), ((object?)streams.Stdin, (object?)streams.Stdout, (object?)streams.Stderr));
    }

    [LinuxFact]
    public void ADescriptorOfOurs_BecomesTheChildsStdout()
    {
        string path = Path.GetTempFileName();
        try
        {
            using (FileStream file = File.OpenWrite(path))
            {
                int fd = (int)file.SafeFileHandle.DangerousGetHandle();
                int code = Run(async () => await (await Aio.CreateSubprocessExec("echo", ["to the file"], stdout: fd)).WaitAsync());
                Assert.Equal(0, code);
            }
            Assert.Equal("to the file\n", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [LinuxFact]
    public void Cwd_IsTheChildsWorkingDirectory()
    {
        string dir = Path.GetFullPath(Path.GetTempPath()).TrimEnd('/');
        string output = Run(async () =>
        {
            var (stdout, _) = await (await Aio.CreateSubprocessExec("pwd", cwd: dir, stdout: Subprocess.Pipe)).CommunicateAsync();
            return Text(stdout).Trim();
        });
        Assert.Equal(dir, output);
    }

    [LinuxFact]
    public void Env_IsTheChildsWholeEnvironment()
    {
        var env = new Dictionary<string, string> { ["AIO_TEST_VALUE"] = "forty two", ["PATH"] = "/usr/bin:/bin" };
        string output = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("env", env: env, stdout: Subprocess.Pipe);
            var (stdout, _) = await proc.CommunicateAsync();
            return Text(stdout);
        });
        Assert.Equal(["AIO_TEST_VALUE=forty two", "PATH=/usr/bin:/bin"], output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
    }

    [LinuxFact]
    public void Env_ByDefault_IsThisProcessesAsDotNetSeesIt()
    {
        Environment.SetEnvironmentVariable("AIO_SUBPROCESS_TEST_INHERITED", "yes");
        string output = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("printenv", ["AIO_SUBPROCESS_TEST_INHERITED"], stdout: Subprocess.Pipe);
            var (stdout, _) = await proc.CommunicateAsync();
            return Text(stdout);
        });
        Assert.Equal("yes\n", output);
    }

    [LinuxFact]
    public void Limit_BoundsTheReadersLines()
    {
        Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessShell("printf '%0100d\\n' 0", stdout: Subprocess.Pipe, limit: 10);
            Assert.Equal(10, proc.Stdout!.Limit);
            await Assert.ThrowsAsync<InvalidDataException>(async () => await proc.Stdout.ReadLineAsync());
            await proc.WaitAsync();
        });
    }

    [LinuxFact]
    public void ChildSignals_AreAtTheirDefaults_NoneIgnoredOrBlocked()
    {
        string[] lines = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("grep", ["-E", "^Sig(Ign|Blk)", "/proc/self/status"], stdout: Subprocess.Pipe);
            var (stdout, _) = await proc.CommunicateAsync();
            return Text(stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        });
        ulong blocked = ulong.Parse(lines[0]["SigBlk:\t".Length..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        ulong ignored = ulong.Parse(lines[1]["SigIgn:\t".Length..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.Equal(0UL, blocked);
        // Signals 1-31 (bits 0-30; SIGPIPE among them, which the runtime ignores). glibc keeps its own, 32 and up, ignored.
        Assert.Equal(0UL, ignored & 0x7FFF_FFFF);
    }

    [LinuxFact]
    public void Pid_IsTheChildsProcessId()
    {
        var (pid, reported) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessShell("echo $$", stdout: Subprocess.Pipe);
            var (stdout, _) = await proc.CommunicateAsync();
            return (proc.Pid, int.Parse(Text(stdout), CultureInfo.InvariantCulture));
        });
        Assert.Equal(pid, reported);
    }

    [LinuxFact]
    public void ToString_ShowsThePidAndThenTheReturnCode()
    {
        var (running, done, pid) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("true");
            string running = proc.ToString();
            await proc.WaitAsync();
            return (running, proc.ToString(), proc.Pid);
        });
        Assert.Equal($"<AsyncProcess {pid}>", running);
        Assert.Equal($"<AsyncProcess {pid} returncode=0>", done);
    }

    [LinuxFact]
    public void WithoutAPidfd_AWatcherThreadReportsTheExit()
    {
        ChildWatcher.UsePidfd = false;
        try
        {
            var (viaPidfd, code) = Run(async () =>
            {
                AsyncProcess proc = await Aio.CreateSubprocessExec("sh", ["-c", "sleep 0.05; exit 5"]);
                return (proc.WatchesPidfd, await proc.WaitAsync());
            });
            Assert.False(viaPidfd);
            Assert.Equal(5, code);
        }
        finally
        {
            ChildWatcher.UsePidfd = true;
        }
    }

    [LinuxFact]
    public void OnALoopWithoutEpoll_StartingAChildThrowsNotSupported()
    {
        var error = Assert.Throws<NotSupportedException>(() =>
            SelectorLoops.Run(SelectorLoops.New("wait"), async () => await Aio.CreateSubprocessExec("true")));
        Assert.Contains("epoll", error.Message);
    }

    [LinuxFact]
    public void TheDemo_IsListed_AndPrintsWhatPythonPrints()
    {
        var demo = Assert.Single(Asyncio.Cli.Demos.Demo.All, d => d.Name == "subprocess");
        var output = new StringWriter();
        if (DefaultSelector.Kind != SelectorKind.Epoll)
        {
            // The suite runs with AIO_SELECTOR=wait too: the demo's loop then says what it lacks.
            Assert.Throws<NotSupportedException>(() => demo.Run(output));
            return;
        }
        demo.Run(output);
        Assert.Equal(
            "exit 3, stdout b'hello\\n', stderr b'oops\\n'\ncat echoed b'hello\\n'\ncat echoed b'subprocess\\n'\ncat exited 0\n",
            output.ToString().ReplaceLineEndings("\n"));
    }

    [LinuxFact]
    public void CancelledWhileItsPipesConnect_TheChildIsKilled()
    {
        string marker = UniqueSleepSeconds();
        int running = Run(async () =>
        {
            AioTask<AsyncProcess> starting = Aio.CreateTask(Aio.CreateSubprocessExec("sleep", [marker], stdout: Subprocess.Pipe));
            await Aio.Sleep(0);   // the task has started the child and waits for its pipes' ConnectionMade
            Assert.Equal(1, WaitForChildrenWith(marker, 1));   // blocks the loop: the pipes must not connect meanwhile
            starting.Cancel();
            await Assert.ThrowsAsync<CancelledError>(async () => await starting);
            for (int i = 0; i < 200 && CountChildrenWith(marker) > 0; i++) await Aio.Sleep(0.01);
            return CountChildrenWith(marker);
        });
        Assert.Equal(0, running);
    }

    [LinuxFact]
    public void Stdin_ToAChildThatExitedWithBytesPending_DrainThrowsBrokenPipe()
    {
        var (error, closing) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("head", ["-c", "1"], stdin: Subprocess.Pipe, stdout: Subprocess.DevNull);
            proc.Stdin!.Write(new byte[1024 * 1024]);
            var error = await Assert.ThrowsAsync<IOException>(async () => await proc.Stdin.DrainAsync());
            await proc.WaitAsync();
            return (error, proc.Stdin.IsClosing);
        });
        Assert.Equal(32, error.HResult);   // EPIPE
        Assert.True(closing);
    }

    [LinuxFact]
    public void Stdin_WriteEof_ClosesThePipe_AndTheChildSeesEof()
    {
        var (canWriteEof, output) = Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("wc", ["-c"], stdin: Subprocess.Pipe, stdout: Subprocess.Pipe);
            proc.Stdin!.Write(Bytes("12345"));
            proc.Stdin.WriteEof();
            await proc.Stdin.WaitClosedAsync();
            return (proc.Stdin.CanWriteEof, Text(await proc.Stdout!.ReadAsync()).Trim());
        });
        Assert.True(canWriteEof);
        Assert.Equal("5", output);
    }
}
