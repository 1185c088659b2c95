using System.Net;
using System.Net.Sockets;

namespace Asyncio;

/// <summary>
/// UDP endpoints as protocols and transports (asyncio: <c>loop.create_datagram_endpoint</c> with
/// <c>selector_events</c>' datagram transport).
/// </summary>
public sealed partial class EventLoop
{
    /// <summary>
    /// Makes a UDP endpoint and starts a protocol from <paramref name="protocolFactory"/> on it: bound to
    /// <paramref name="localAddr"/> if given, connected to <paramref name="remoteAddr"/> if given (then every
    /// datagram goes there, and only its datagrams are received). A name in a <see cref="DnsEndPoint"/> is
    /// resolved; the addresses are paired by family and tried in turn.
    /// <para>asyncio: <c>transport, protocol = await loop.create_datagram_endpoint(protocol_factory,
    /// local_addr=None, remote_addr=None, family=0, reuse_port=None, allow_broadcast=None)</c>.</para>
    /// </summary>
    /// <typeparam name="TProtocol">The protocol's type, given back as is.</typeparam>
    /// <param name="protocolFactory">Makes the protocol once the socket is ready.</param>
    /// <param name="localAddr">Where to bind (port 0: a free port), or null to leave the socket unbound until its first send.</param>
    /// <param name="remoteAddr">The peer every datagram goes to, or null to give an address with each send.</param>
    /// <param name="family"><see cref="AddressFamily.InterNetwork"/> or <see cref="AddressFamily.InterNetworkV6"/>, to
    /// filter the addresses, or to make a socket when neither address is given; unspecified by default.</param>
    /// <param name="reusePort">Sets <c>SO_REUSEPORT</c>, so that other endpoints may bind the same port (Linux, macOS, FreeBSD).</param>
    /// <param name="allowBroadcast">Sets <c>SO_BROADCAST</c>; the socket is then not connected to <paramref name="remoteAddr"/>, only sent to.</param>
    /// <returns>A coroutine giving the transport and the protocol, once <see cref="DatagramProtocol.ConnectionMade"/> has run.</returns>
    /// <exception cref="ArgumentException">Neither address nor a family is given (asyncio's <c>ValueError('unexpected address family')</c>);
    /// an address is neither an <see cref="IPEndPoint"/> nor a <see cref="DnsEndPoint"/>, or not of <paramref name="family"/>;
    /// at the await: the two addresses have no family in common (asyncio's <c>ValueError('can not get address information')</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="family"/> is not an IP family.</exception>
    /// <exception cref="PlatformNotSupportedException"><paramref name="reusePort"/> on a platform without <c>SO_REUSEPORT</c> (Windows).</exception>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors.</exception>
    /// <exception cref="SocketException">At the await: no address pair could be bound and connected (the first pair's error).</exception>
    public Coroutine<(IDatagramTransport Transport, TProtocol Protocol)> CreateDatagramEndpoint<TProtocol>(
        Func<TProtocol> protocolFactory, EndPoint? localAddr = null, EndPoint? remoteAddr = null,
        AddressFamily family = AddressFamily.Unspecified, bool reusePort = false, bool allowBroadcast = false)
        where TProtocol : DatagramProtocol
    {
        ArgumentNullException.ThrowIfNull(protocolFactory);
        if (family is not (AddressFamily.Unspecified or AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new ArgumentOutOfRangeException(nameof(family), family, "a datagram endpoint is IPv4 or IPv6");
        CheckDatagramAddress(localAddr, family, nameof(localAddr));
        CheckDatagramAddress(remoteAddr, family, nameof(remoteAddr));
        if (localAddr is null && remoteAddr is null && family == AddressFamily.Unspecified)
            throw new ArgumentException("unexpected address family: without localAddr or remoteAddr, give the family", nameof(family));
        if (reusePort && !CanReusePort)
            throw new PlatformNotSupportedException("SO_REUSEPORT is not supported on this platform");
        CheckCanWatch();
        return OpenDatagramEndpoint(protocolFactory, localAddr, remoteAddr, family, reusePort, allowBroadcast);
    }

    private static void CheckDatagramAddress(EndPoint? address, AddressFamily family, string name)
    {
        if (address is null) return;
        if (address is not (IPEndPoint or DnsEndPoint))
            throw new ArgumentException($"an IPEndPoint or a DnsEndPoint is expected, not {address.GetType().Name}", name);
        if (family != AddressFamily.Unspecified && address.AddressFamily is not AddressFamily.Unspecified && address.AddressFamily != family)
            throw new ArgumentException($"{address} is not of the family {family}", name);
    }

    private async Coroutine<(IDatagramTransport Transport, TProtocol Protocol)> OpenDatagramEndpoint<TProtocol>(
        Func<TProtocol> protocolFactory, EndPoint? localAddr, EndPoint? remoteAddr, AddressFamily family, bool reusePort, bool allowBroadcast)
        where TProtocol : DatagramProtocol
    {
        SocketException? first = null;
        foreach (var (pairFamily, local, remote) in await DatagramAddressPairs(localAddr, remoteAddr, family))
        {
            var socket = new Socket(pairFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                if (reusePort) SetReusePort(socket);
                if (allowBroadcast) socket.EnableBroadcast = true;
                socket.Blocking = false;
                if (local is not null) socket.Bind(local);
                // With broadcast allowed the socket stays unconnected, as in asyncio: it may send to other addresses.
                if (remote is not null && !allowBroadcast) await SockConnectAsync(socket, remote);
            }
            catch (SocketException error)
            {
                socket.Dispose();
                first ??= error;
                continue;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            return await StartWhenMade<IDatagramTransport, TProtocol>(socket, protocolFactory,
                (protocol, waiter) => new DatagramTransport(this, socket, protocol, remote, waiter), static transport => transport.Close());
        }
        throw first!;
    }

    /// <summary>
    /// The (family, local, remote) triples to try, as asyncio pairs them: the resolved addresses grouped by
    /// family, in the order found, keeping only the families that have every address given.
    /// </summary>
    private static async Coroutine<List<(AddressFamily Family, IPEndPoint? Local, IPEndPoint? Remote)>> DatagramAddressPairs(
        EndPoint? localAddr, EndPoint? remoteAddr, AddressFamily family)
    {
        if (localAddr is null && remoteAddr is null) return [(family, null, null)];
        IPEndPoint[] locals = localAddr is null ? [] : await ResolveDatagramAddress(localAddr, family);
        IPEndPoint[] remotes = remoteAddr is null ? [] : await ResolveDatagramAddress(remoteAddr, family);
        var pairs = new List<(AddressFamily, IPEndPoint?, IPEndPoint?)>();
        foreach (AddressFamily candidate in locals.Concat(remotes).Select(address => address.AddressFamily).Distinct())
        {
            IPEndPoint? local = locals.FirstOrDefault(address => address.AddressFamily == candidate);
            IPEndPoint? remote = remotes.FirstOrDefault(address => address.AddressFamily == candidate);
            if ((localAddr is null || local is not null) && (remoteAddr is null || remote is not null)) pairs.Add((candidate, local, remote));
        }
        if (pairs.Count == 0)
            throw new ArgumentException($"can not get address information: {localAddr} and {remoteAddr} have no address family in common");
        return pairs;
    }

    /// <summary>The addresses of <paramref name="address"/> (itself for an <see cref="IPEndPoint"/>), of <paramref name="family"/> if given.</summary>
    private static async Coroutine<IPEndPoint[]> ResolveDatagramAddress(EndPoint address, AddressFamily family)
    {
        if (address is IPEndPoint ip) return [ip];
        var named = (DnsEndPoint)address;
        IPAddress[] found = await ResolveHost(named.Host);
        IPEndPoint[] addresses = [.. found
            .Where(a => family == AddressFamily.Unspecified || a.AddressFamily == family)
            .Where(a => named.AddressFamily == AddressFamily.Unspecified || a.AddressFamily == named.AddressFamily)
            .Select(a => new IPEndPoint(a, named.Port))];
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        return addresses;
    }

    /// <summary>Whether this platform has <c>SO_REUSEPORT</c> (asyncio raises <c>ValueError</c> where it does not).</summary>
    private static bool CanReusePort => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD();

    /// <summary>Sets <c>SO_REUSEPORT</c>, which .NET does not name: its level and number are the platform's own.</summary>
    private static void SetReusePort(Socket socket)
    {
        // Linux: SOL_SOCKET = 1, SO_REUSEPORT = 15; the BSDs and macOS: SOL_SOCKET = 0xffff, SO_REUSEPORT = 0x200.
        (int level, int name) = OperatingSystem.IsLinux() ? (1, 15) : (0xffff, 0x200);
        socket.SetRawSocketOption(level, name, BitConverter.GetBytes(1));
    }
}
