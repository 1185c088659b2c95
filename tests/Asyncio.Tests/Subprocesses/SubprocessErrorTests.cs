using Asyncio.Tests.Executors;
using static Asyncio.Tests.Subprocesses.Children;

namespace Asyncio.Tests.Subprocesses;

/// <summary>Bad arguments fail at the call; a child that cannot start fails at the await, as CPython's <c>OSError</c>s.</summary>
public class SubprocessErrorTests
{
    [LinuxFact]
    public void UnknownProgram_IsFileNotFoundAtTheAwait()
    {
        var error = Assert.Throws<FileNotFoundException>(() => Run(async () => await Aio.CreateSubprocessExec("no-such-program-xyz")));
        Assert.Equal("no-such-program-xyz", error.FileName);
        Assert.Contains("No such file or directory", error.Message);
    }

    [LinuxFact]
    public void UnknownPath_IsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => Run(async () => await Aio.CreateSubprocessExec("/no/such/program")));
    }

    [LinuxFact]
    public void AFileThatIsNotExecutable_IsUnauthorizedAccess()
    {
        string path = Path.GetTempFileName();
        try
        {
            Assert.Throws<UnauthorizedAccessException>(() => Run(async () => await Aio.CreateSubprocessExec(path)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [LinuxFact]
    public void MissingCwd_IsDirectoryNotFound()
    {
        Assert.Throws<DirectoryNotFoundException>(() => Run(async () => await Aio.CreateSubprocessExec("true", cwd: "/no/such/dir")));
    }

    [LinuxFact]
    public void AFailedStart_LeaksNoDescriptor()
    {
        Run(async () =>
        {
            int before = OpenDescriptors();
            for (int i = 0; i < 20; i++)
            {
                await Assert.ThrowsAsync<FileNotFoundException>(async () =>
                    await Aio.CreateSubprocessExec("no-such-program-xyz", stdin: Subprocess.Pipe, stdout: Subprocess.Pipe, stderr: Subprocess.Pipe));
            }
            // Other tests run meanwhile and open descriptors of their own: a leak here would be 60.
            Assert.True(OpenDescriptors() - before < 20, $"{before} descriptors before, {OpenDescriptors()} after");
        });
    }

    [Fact]
    public void NullOrEmptyProgram_ThrowsAtTheCall()
    {
        Assert.Throws<ArgumentNullException>(() => Aio.CreateSubprocessExec(null!));
        Assert.Throws<ArgumentException>(() => Aio.CreateSubprocessExec(""));
    }

    [Fact]
    public void ANullArgument_ThrowsAtTheCall()
    {
        var error = Assert.Throws<ArgumentException>(() => Aio.CreateSubprocessExec("echo", ["a", null!]));
        Assert.Equal("args", error.ParamName);
    }

    [Fact]
    public void ANulCharacter_ThrowsAtTheCall()
    {
        Assert.Throws<ArgumentException>(() => Aio.CreateSubprocessExec("echo", ["a\0b"]));
        Assert.Throws<ArgumentException>(() => Aio.CreateSubprocessExec("ec\0ho"));
        Assert.Throws<ArgumentException>(() => Aio.CreateSubprocessShell("echo \0"));
    }

    [Fact]
    public void NullShellCommand_ThrowsAtTheCall()
    {
        Assert.Throws<ArgumentNullException>(() => Aio.CreateSubprocessShell(null!));
    }

    [Fact]
    public void SubprocessStdout_IsForStderrOnly()
    {
        Assert.Equal("stdin", Assert.Throws<ArgumentException>(() => Aio.CreateSubprocessExec("true", stdin: Subprocess.Stdout)).ParamName);
        Assert.Equal("stdout", Assert.Throws<ArgumentException>(() => Aio.CreateSubprocessExec("true", stdout: Subprocess.Stdout)).ParamName);
    }

    [Fact]
    public void AStreamValueBelowTheConstants_IsOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Aio.CreateSubprocessExec("true", stderr: -4));
        Assert.Throws<ArgumentOutOfRangeException>(() => Aio.CreateSubprocessShell("true", stdout: -100));
    }

    [Fact]
    public void ANonPositiveLimit_IsOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Aio.CreateSubprocessExec("true", limit: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Aio.CreateSubprocessShell("true", limit: -1));
    }

    [Fact]
    public void AnInvalidEnvironmentName_IsAnArgumentException()
    {
        var env = new Dictionary<string, string> { ["A=B"] = "c" };
        Assert.Throws<ArgumentException>(() => Run(async () => await Aio.CreateSubprocessExec("true", env: env)));
    }

    [LinuxFact]
    public void AClosedDescriptor_AsAStream_IsAnArgumentException()
    {
        Assert.Throws<ArgumentException>(() => Run(async () => await Aio.CreateSubprocessExec("true", stdout: 987654)));
    }

    [LinuxFact]
    public void CommunicateWithInput_WithoutAStdinPipe_ThrowsAtTheCall()
    {
        Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("true");
            Assert.Throws<InvalidOperationException>(() => proc.CommunicateAsync([1, 2, 3]));
            await proc.WaitAsync();
        });
    }

    [LinuxFact]
    public void SendSignal_OfZeroOrLess_IsOutOfRange()
    {
        Run(async () =>
        {
            AsyncProcess proc = await Aio.CreateSubprocessExec("true");
            Assert.Throws<ArgumentOutOfRangeException>(() => proc.SendSignal(0));
            await proc.WaitAsync();
        });
    }

    private static int OpenDescriptors() => Selectors.SelectorLoops.OpenDescriptors();
}
