using System.Net;

namespace Asyncio.Cli.Echo;

/// <summary>
/// The TCP echo servers behind <c>aio echo-server</c> and <c>aio demo echo</c>: one on the streams API
/// (<see cref="Aio.StartServer"/> and a handler coroutine), one on a <see cref="Protocol"/> (<see cref="EventLoop.CreateServer"/>).
/// </summary>
internal static class EchoServers
{
    /// <summary>The streams handler: echoes each line until EOF, then closes the connection.</summary>
    /// <param name="reader">The connection's reader.</param>
    /// <param name="writer">The connection's writer.</param>
    /// <returns>A coroutine that ends when the peer has sent EOF and the connection is closed.</returns>
    public static async Coroutine HandleStream(AsyncStreamReader reader, AsyncStreamWriter writer)
    {
        while (await reader.ReadLineAsync() is { Length: > 0 } line)   // empty at EOF
        {
            writer.Write(line);
            await writer.DrainAsync();
        }
        writer.Close();
        await writer.WaitClosedAsync();
    }

    /// <summary>Starts an echo server on <paramref name="host"/>:<paramref name="port"/> (0: a free port).</summary>
    /// <param name="host">The address to bind.</param>
    /// <param name="port">The port, or 0.</param>
    /// <param name="useProtocol">True for the <see cref="EchoProtocol"/> server, false for the streams one.</param>
    /// <returns>A coroutine giving the serving <see cref="Server"/>.</returns>
    public static Coroutine<Server> Start(string host, int port, bool useProtocol) => useProtocol
        ? Aio.GetRunningLoop().CreateServer(() => new EchoProtocol(), host, port)
        : Aio.StartServer(HandleStream, host, port);

    /// <summary>The address <paramref name="server"/> listens on (its first socket).</summary>
    /// <param name="server">A serving server.</param>
    /// <returns>The bound endpoint, with the port picked for port 0.</returns>
    public static IPEndPoint EndPointOf(Server server) => (IPEndPoint)server.Sockets[0].LocalEndPoint!;
}

/// <summary>asyncio's echo protocol: every byte received is written back; EOF closes the connection.</summary>
internal sealed class EchoProtocol : Protocol
{
    private ITransport? _transport;

    /// <inheritdoc/>
    public override void ConnectionMade(ITransport transport) => _transport = transport;

    /// <inheritdoc/>
    public override void DataReceived(ReadOnlySpan<byte> data) => _transport!.Write(data);
}
