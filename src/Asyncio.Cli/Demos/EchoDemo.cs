using System.Net;
using System.Text;
using Asyncio.Cli.Echo;

namespace Asyncio.Cli.Demos;

/// <summary>
/// "echo server and client with streams": <c>Aio.StartServer</c> on a free loopback port, <c>Aio.OpenConnection</c>
/// sending a few lines and reading each echo, then everything closed. The streams API is in docs/io.md.
/// </summary>
internal sealed class EchoDemo : Demo
{
    /// <summary>The lines the client sends.</summary>
    internal static readonly string[] Lines = ["hello", "asyncio", "bye"];

    public override string Name => "echo";

    public override string Title => "echo server and client with streams";

    public override int Order => 920;

    public override void Run(TextWriter output) => Aio.Run(Body(output));

    private static async Coroutine Body(TextWriter output)
    {
        await using Server server = await Aio.StartServer(EchoServers.HandleStream, "127.0.0.1", 0);
        IPEndPoint address = EchoServers.EndPointOf(server);
        output.WriteLine($"serving on {address}");
        var (reader, writer) = await Aio.OpenConnection("127.0.0.1", address.Port);
        foreach (string line in Lines)
        {
            writer.Write(Encoding.UTF8.GetBytes(line + "\n"));
            byte[] echo = await reader.ReadLineAsync();
            output.WriteLine($"sent {line,-8} echoed {Encoding.UTF8.GetString(echo).TrimEnd('\n')}");
        }
        writer.Close();
        await writer.WaitClosedAsync();
        server.Close();
        await server.WaitClosedAsync();
        output.WriteLine("closed");
    }
}
