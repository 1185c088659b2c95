using System.CommandLine;
using System.Net;
using Asyncio.Cli.Commands;

namespace Asyncio.Cli.Echo;

/// <summary>
/// <c>aio echo-server --port N [--protocol] [--host 127.0.0.1]</c>: a TCP echo server (streams API by default,
/// <see cref="EchoProtocol"/> with <c>--protocol</c>) that runs until Ctrl-C, for benchmarking.
/// </summary>
internal static class EchoServerCommand
{
    /// <summary>The command's usage line.</summary>
    public const string Usage = "aio echo-server --port N [--protocol] [--host 127.0.0.1]";

    /// <summary>The parsed options.</summary>
    /// <param name="Host">The address to bind.</param>
    /// <param name="Port">The port (0: a free one).</param>
    /// <param name="UseProtocol">True for the <see cref="EchoProtocol"/> server.</param>
    internal sealed record Options(string Host, int Port, bool UseProtocol);

    /// <summary>Builds the command (System.CommandLine).</summary>
    public static Command Create()
    {
        var port = new Option<int>("--port", "-p") { Description = "The port to listen on (0: a free one).", Required = true, HelpName = "N" };
        port.Validators.Add(result =>
        {
            // A value that is not a number at all is the parser's error already.
            if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[0].Value, out int port) && port is < 0 or > IPEndPoint.MaxPort)
            {
                result.AddError($"--port: not a port number: {result.Tokens[0].Value}");
            }
        });
        var protocol = new Option<bool>("--protocol") { Description = "Serve with a Protocol subclass instead of the streams API." };
        var host = new Option<string>("--host") { Description = "The address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new AioCommand("echo-server", "TCP echo server until Ctrl-C (for benchmarks).", Usage) { port, protocol, host };
        command.SetAction(result => Serve(
            new Options(result.GetValue(host)!, result.GetValue(port), result.GetValue(protocol)),
            result.InvocationConfiguration.Output));
        return command;
    }

    /// <summary>Parses the arguments after <c>echo-server</c>.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="error">Why they do not parse, or null.</param>
    /// <returns>The options, or null when <paramref name="error"/> is set.</returns>
    public static Options? Parse(IReadOnlyList<string> args, out string? error)
    {
        Command command = Create();
        ParseResult result = command.Parse(args);
        error = result.Errors.Count > 0 ? result.Errors[0].Message : null;
        if (error is not null) return null;
        return new Options(
            result.GetValue<string>("--host")!, result.GetValue<int>("--port"), result.GetValue<bool>("--protocol"));
    }

    /// <summary>Runs the command: serves until Ctrl-C, then exits 0.</summary>
    /// <param name="args">The arguments after <c>echo-server</c>.</param>
    /// <param name="output">Where the address is printed.</param>
    /// <param name="errors">Where usage errors go.</param>
    /// <returns>The exit code: 0, or 2 for bad arguments.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter errors) =>
        Program.Run(["echo-server", .. args], output, errors);

    private static int Serve(Options options, TextWriter output)
    {
        try
        {
            Aio.Run(ServeUntilCancelled(options, output));
        }
        catch (KeyboardInterrupt)
        {
            output.WriteLine("stopped");
        }
        return 0;
    }

    private static async Coroutine ServeUntilCancelled(Options options, TextWriter output)
    {
        Server server = await EchoServers.Start(options.Host, options.Port, options.UseProtocol);
        string kind = options.UseProtocol ? "protocol" : "streams";
        output.WriteLine($"echo server ({kind}) listening on {EchoServers.EndPointOf(server)}; Ctrl-C to stop");
        output.Flush();
        try
        {
            await Aio.GetRunningLoop().CreateFuture<bool>();   // until cancelled (Ctrl-C)
        }
        finally
        {
            // Unlike ServeForeverAsync, do not wait for the clients to hang up: drop them.
            server.Close();
            server.AbortClients();
            await server.WaitClosedAsync();
        }
    }
}
