using System.Globalization;
using System.Net;

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

    /// <summary>Parses the arguments after <c>echo-server</c>.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="error">Why they do not parse, or null.</param>
    /// <returns>The options, or null when <paramref name="error"/> is set.</returns>
    public static Options? Parse(IReadOnlyList<string> args, out string? error)
    {
        string host = "127.0.0.1";
        int? port = null;
        bool useProtocol = false;
        error = null;
        for (int i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--protocol":
                    useProtocol = true;
                    break;
                case "--host" when i + 1 < args.Count:
                    host = args[++i];
                    break;
                case "--port" when i + 1 < args.Count:
                    if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p > IPEndPoint.MaxPort)
                    {
                        error = $"--port: not a port number: {args[i]}";
                        return null;
                    }
                    port = p;
                    break;
                default:
                    error = $"unexpected argument: {args[i]}";
                    return null;
            }
        }
        if (port is null)
        {
            error = "--port is required";
            return null;
        }
        return new Options(host, port.Value, useProtocol);
    }

    /// <summary>Runs the command: serves until Ctrl-C, then exits 0.</summary>
    /// <param name="args">The arguments after <c>echo-server</c>.</param>
    /// <param name="output">Where the address is printed.</param>
    /// <param name="errors">Where usage errors go.</param>
    /// <returns>The exit code: 0, or 2 for bad arguments.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
    {
        Options? options = Parse(args, out string? error);
        if (options is null)
        {
            errors.WriteLine($"{error}\nusage: {Usage}");
            return 2;
        }
        try
        {
            Aio.Run(Serve(options, output));
        }
        catch (KeyboardInterrupt)
        {
            output.WriteLine("stopped");
        }
        return 0;
    }

    private static async Coroutine Serve(Options options, TextWriter output)
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
