using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Asyncio.Bench.Echo;

/// <summary>
/// W6's .NET echo servers, each run as its own process by <c>bench/run.py</c> and driven by <c>bench/c/echo_client</c>:
/// <c>Asyncio.Bench echo-server --server aio-protocol|aio-streams|socket [--port 0] [--max-seconds 60]</c>.
/// Each binds 127.0.0.1, prints <c>READY port</c> once listening, and serves until killed or the time is up.
/// </summary>
public static class EchoServers
{
    /// <summary>The first argument that selects this mode instead of a workload.</summary>
    public const string Command = "echo-server";

    /// <summary>Runs the server the arguments name; returns the exit code.</summary>
    public static int Run(string[] args)
    {
        string server = "aio-protocol";
        int port = 0;
        double maxSeconds = 60;
        for (int i = 1; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--server": server = args[i + 1]; break;
                case "--port": port = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--max-seconds": maxSeconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unexpected argument {args[i]}");
            }
        }
        // A forgotten server must not outlive its benchmark, whatever its loop is doing.
        var deadline = new Thread(() =>
        {
            Thread.Sleep(TimeSpan.FromSeconds(maxSeconds));
            Environment.Exit(0);
        }) { IsBackground = true };
        deadline.Start();
        switch (server)
        {
            case "aio-protocol":
            case "aio-streams":
                Aio.Run(ServeAio(server == "aio-protocol", port));
                return 0;
            case "socket":
                ServeSockets(port).GetAwaiter().GetResult();
                return 0;
            default:
                Console.Error.WriteLine($"unknown server {server} (aio-protocol, aio-streams, socket)");
                return 2;
        }
    }

    private static void Ready(EndPoint? bound)
    {
        Console.WriteLine($"READY {((IPEndPoint)bound!).Port}");
        Console.Out.Flush();
    }

    /// <summary>This library's server, on a Protocol or on the streams API; the backlog lets a burst of connects in.</summary>
    private static async Coroutine ServeAio(bool useProtocol, int port)
    {
        Server server = useProtocol
            ? await Aio.GetRunningLoop().CreateServer(() => new EchoProtocol(), "127.0.0.1", port, backlog: 1024)
            : await Aio.StartServer(EchoStream, "127.0.0.1", port, backlog: 1024);
        Ready(server.Sockets[0].LocalEndPoint);
        await Aio.GetRunningLoop().CreateFuture<bool>();   // until the process is killed
    }

    /// <summary>asyncio's documented echo handler: read up to 64 KiB, write it back, drain; close at EOF.</summary>
    private static async Coroutine EchoStream(AsyncStreamReader reader, AsyncStreamWriter writer)
    {
        try
        {
            while (await reader.ReadAsync(65536) is { Length: > 0 } data)
            {
                writer.Write(data);
                await writer.DrainAsync();
            }
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // The peer reset the connection: nothing to echo any more (asyncio's handler catches ConnectionError).
        }
        finally
        {
            writer.Close();
        }
    }

    /// <summary>Plain .NET: an accept loop and one task per connection awaiting Socket.ReceiveAsync/SendAsync.</summary>
    private static async Task ServeSockets(int port)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        listener.Listen(1024);
        Ready(listener.LocalEndPoint);
        while (true)
        {
            Socket connection = await listener.AcceptAsync();
            connection.NoDelay = true;
            _ = EchoSocket(connection);
        }
    }

    private static async Task EchoSocket(Socket connection)
    {
        using (connection)
        {
            // One buffer per connection, as typical .NET code has; 16 KiB holds many echoes of W6's 1 KiB.
            var buffer = new byte[16 * 1024];
            try
            {
                int received;
                while ((received = await connection.ReceiveAsync(buffer, SocketFlags.None)) > 0)
                {
                    for (int sent = 0; sent < received;)
                    {
                        sent += await connection.SendAsync(buffer.AsMemory(sent, received - sent), SocketFlags.None);
                    }
                }
            }
            catch (SocketException)
            {
                // The peer reset the connection.
            }
        }
    }
}

/// <summary>asyncio's echo protocol: every byte received is written back.</summary>
internal sealed class EchoProtocol : Protocol
{
    private ITransport? _transport;

    public override void ConnectionMade(ITransport transport) => _transport = transport;

    public override void DataReceived(ReadOnlySpan<byte> data) => _transport!.Write(data);
}
