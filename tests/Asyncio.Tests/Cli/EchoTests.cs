using System.Diagnostics;
using System.Text;
using Asyncio.Cli.Demos;
using Asyncio.Cli.Echo;
using Asyncio.Tests.Executors;

namespace Asyncio.Tests.Cli;

/// <summary>
/// <c>aio demo echo</c> and <c>aio echo-server</c>: the demo's output, both echo servers (streams and
/// <see cref="EchoProtocol"/>) against a streams client on a free loopback port, and the command's arguments.
/// </summary>
public class EchoTests
{
    [LinuxFact]
    public void EchoDemo_Run_PrintsEachLineEchoed_AndFinishesQuickly()
    {
        var output = new StringWriter();
        var watch = Stopwatch.StartNew();
        new EchoDemo().Run(output);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("serving on 127.0.0.1:", lines[0], StringComparison.Ordinal);
        Assert.Equal(EchoDemo.Lines.Select(l => $"sent {l,-8} echoed {l}"), lines[1..^1]);
        Assert.Equal("closed", lines[^1]);
    }

    [LinuxFact]
    public void EchoDemo_IsListed() => Assert.Contains(Demo.All, d => d.Name == "echo");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EchoServer_EchoesLinesToAStreamsClient(bool useProtocol)
    {
        if (!OperatingSystem.IsLinux()) return;
        string[] received = Aio.Run(EchoThrough(useProtocol, ["one", "two", "three"]));
        Assert.Equal(["one\n", "two\n", "three\n"], received);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EchoServer_ClosesTheConnectionOnEof(bool useProtocol)
    {
        if (!OperatingSystem.IsLinux()) return;
        Aio.Run(SendLastLineThenEof(useProtocol));

        static async Coroutine SendLastLineThenEof(bool useProtocol)
        {
            await using Server server = await EchoServers.Start("127.0.0.1", 0, useProtocol);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", EchoServers.EndPointOf(server).Port);
            writer.Write("last\n"u8);
            writer.WriteEof();
            byte[] rest = await Aio.WaitFor(reader.ReadAsync(), 5);   // everything up to EOF
            Assert.Equal("last\n", Encoding.UTF8.GetString(rest));
            writer.Close();
            await writer.WaitClosedAsync();
        }
    }

    [Fact]
    public void Parse_DefaultsToStreamsOnLoopback()
    {
        var options = EchoServerCommand.Parse(["--port", "0"], out string? error);
        Assert.Null(error);
        Assert.Equal(new EchoServerCommand.Options("127.0.0.1", 0, UseProtocol: false), options);
    }

    [Fact]
    public void Parse_ReadsProtocolAndHost()
    {
        var options = EchoServerCommand.Parse(["--protocol", "--host", "0.0.0.0", "--port", "8888"], out _);
        Assert.Equal(new EchoServerCommand.Options("0.0.0.0", 8888, UseProtocol: true), options);
    }

    [Theory]
    [InlineData("")]
    [InlineData("--port")]
    [InlineData("--port x")]
    [InlineData("--port 70000")]
    [InlineData("--port 1 --bogus")]
    public void Run_BadArguments_ExitsWithUsage(string args)
    {
        var errors = new StringWriter();
        Assert.Equal(2, EchoServerCommand.Run(args.Split(' ', StringSplitOptions.RemoveEmptyEntries), TextWriter.Null, errors));
        Assert.Contains(EchoServerCommand.Usage, errors.ToString(), StringComparison.Ordinal);
    }

    private static async Coroutine<string[]> EchoThrough(bool useProtocol, string[] lines)
    {
        await using Server server = await EchoServers.Start("127.0.0.1", 0, useProtocol);
        var (reader, writer) = await Aio.OpenConnection("127.0.0.1", EchoServers.EndPointOf(server).Port);
        var received = new List<string>();
        foreach (string line in lines)
        {
            writer.Write(Encoding.UTF8.GetBytes(line + "\n"));
            received.Add(Encoding.UTF8.GetString(await Aio.WaitFor(reader.ReadLineAsync(), 5)));
        }
        writer.Close();
        await writer.WaitClosedAsync();
        return [.. received];
    }
}
