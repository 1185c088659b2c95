using System.Net;
using System.Net.Sockets;

namespace Asyncio.Tests.Sockets;

/// <summary>Connected loopback sockets for the tests: TCP over IPv4 or IPv6, or a Unix-domain socket in a temp dir.</summary>
internal static class SocketPairs
{
    /// <summary>The transports the tests run over, as theory data.</summary>
    public static TheoryData<string> Kinds() => new() { "tcp4", "tcp6", "unix" };

    /// <summary>A non-blocking listening socket of <paramref name="kind"/>, bound to a free address.</summary>
    public static Socket Listener(string kind)
    {
        Socket listener = kind switch
        {
            "tcp4" => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp),
            "tcp6" => new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp),
            "unix" => new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified),
            _ => throw new ArgumentException($"unknown kind {kind}", nameof(kind)),
        };
        listener.Bind(kind switch
        {
            "tcp4" => new IPEndPoint(IPAddress.Loopback, 0),
            "tcp6" => new IPEndPoint(IPAddress.IPv6Loopback, 0),
            _ => new UnixDomainSocketEndPoint(UnixPath()),
        });
        listener.Listen();
        listener.Blocking = false;
        return listener;
    }

    /// <summary>A client socket (non-blocking, not connected) of the listener's family.</summary>
    public static Socket ClientFor(Socket listener) =>
        new(listener.AddressFamily, SocketType.Stream, listener.ProtocolType) { Blocking = false };

    /// <summary>Two connected non-blocking sockets, made without a loop (blocking connect and accept).</summary>
    public static (Socket A, Socket B) Connected(string kind = "tcp4")
    {
        using Socket listener = Listener(kind);
        listener.Blocking = true;
        var a = new Socket(listener.AddressFamily, SocketType.Stream, listener.ProtocolType);
        a.Connect(listener.LocalEndPoint!);
        Socket b = listener.Accept();
        a.Blocking = false;
        b.Blocking = false;
        return (a, b);
    }

    /// <summary>
    /// Runs <paramref name="body"/> on a new epoll loop (see <see cref="Selectors.SelectorLoops.Run{T}"/>) with two
    /// connected sockets of <paramref name="kind"/>, closed afterwards.
    /// </summary>
    public static void RunOnPair(Func<EventLoop, Socket, Socket, Coroutine> body, string kind = "tcp4", EventLoop? loop = null,
        double limitSeconds = 20)
    {
        var (a, b) = Connected(kind);
        using (a)
        using (b)
        {
            loop ??= Selectors.SelectorLoops.NewEpoll();
            Selectors.SelectorLoops.Run(loop, () => body(loop, a, b), limitSeconds);
        }
    }

    /// <summary>This test run's directory for Unix-domain sockets, removed when the process exits.</summary>
    private static readonly Lazy<string> s_unixDir = new(() =>
    {
        string dir = Directory.CreateTempSubdirectory("aio-tests-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(dir, recursive: true);
        return dir;
    });

    /// <summary>A fresh path for a Unix-domain socket (short: such paths are limited to about 100 bytes).</summary>
    private static string UnixPath() => Path.Combine(s_unixDir.Value, Guid.NewGuid().ToString("N")[..12]);
}
