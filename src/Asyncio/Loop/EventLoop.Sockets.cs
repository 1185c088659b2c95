using System.Net;
using System.Net.Sockets;

namespace Asyncio;

/// <summary>
/// Low-level socket operations on non-blocking sockets (asyncio: <c>loop.sock_recv</c>, <c>sock_sendall</c>, ...):
/// each tries its system call first and, when the socket would block, awaits the socket's readiness through a
/// reader or writer on this loop, then tries again.
/// </summary>
/// <remarks>
/// <para>Cancelling the awaiting task removes the reader or writer. The call is made only after the task
/// resumes, so a receive cancelled before data arrived takes nothing: the data stays for the next receive.
/// A cancelled <see cref="SockSendallAsync"/> may have sent part of the data, as in asyncio.</para>
/// <para>Errors surface as <see cref="SocketException"/> (a reset by the peer as
/// <see cref="SocketError.ConnectionReset"/>). One operation per direction may wait on a socket at a time.</para>
/// </remarks>
public sealed partial class EventLoop
{
    /// <summary>
    /// Receives up to <paramref name="maxBytes"/> bytes; an empty array at end of stream.
    /// <para>asyncio: <c>await loop.sock_recv(sock, nbytes)</c>.</para>
    /// </summary>
    /// <param name="socket">A connected non-blocking socket.</param>
    /// <param name="maxBytes">The most bytes to take.</param>
    /// <returns>A coroutine: nothing happens until it is awaited or made a task.</returns>
    /// <exception cref="ArgumentException">The socket is blocking (asyncio raises <c>ValueError</c>).</exception>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors.</exception>
    /// <exception cref="SocketException">At the await: the receive failed.</exception>
    public Coroutine<byte[]> SockRecvAsync(Socket socket, int maxBytes)
    {
        CheckSocket(socket);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        return Recv(socket, maxBytes);
    }

    /// <summary>
    /// Receives into <paramref name="buffer"/>; the same as <see cref="SockRecvIntoAsync"/>.
    /// <para>asyncio: <c>await loop.sock_recv_into(sock, buf)</c>.</para>
    /// </summary>
    /// <param name="socket">A connected non-blocking socket.</param>
    /// <param name="buffer">Where the bytes go.</param>
    /// <returns>A coroutine giving the number of bytes received; 0 at end of stream.</returns>
    /// <exception cref="ArgumentException">The socket is blocking.</exception>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors.</exception>
    /// <exception cref="SocketException">At the await: the receive failed.</exception>
    public Coroutine<int> SockRecvAsync(Socket socket, Memory<byte> buffer) => SockRecvIntoAsync(socket, buffer);

    /// <summary>
    /// Receives into <paramref name="buffer"/>.
    /// <para>asyncio: <c>await loop.sock_recv_into(sock, buf)</c>.</para>
    /// </summary>
    /// <param name="socket">A connected non-blocking socket.</param>
    /// <param name="buffer">Where the bytes go.</param>
    /// <returns>A coroutine giving the number of bytes received; 0 at end of stream.</returns>
    /// <exception cref="ArgumentException">The socket is blocking.</exception>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors.</exception>
    /// <exception cref="SocketException">At the await: the receive failed.</exception>
    public Coroutine<int> SockRecvIntoAsync(Socket socket, Memory<byte> buffer)
    {
        CheckSocket(socket);
        return RecvInto(socket, buffer);
    }

    /// <summary>
    /// Sends all of <paramref name="data"/>, waiting for room in the socket's send buffer whenever it is full
    /// (the peer's reading pace is the back-pressure).
    /// <para>asyncio: <c>await loop.sock_sendall(sock, data)</c>.</para>
    /// </summary>
    /// <param name="socket">A connected non-blocking socket.</param>
    /// <param name="data">The bytes; not to be changed until the coroutine completes.</param>
    /// <returns>A coroutine that completes once every byte was handed to the kernel.</returns>
    /// <exception cref="ArgumentException">The socket is blocking.</exception>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors.</exception>
    /// <exception cref="SocketException">At the await: the send failed (the peer reset or closed the connection).</exception>
    public Coroutine SockSendallAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        CheckSocket(socket);
        return Sendall(socket, data);
    }

    /// <summary>
    /// Accepts a connection on a listening socket. The new socket is non-blocking.
    /// <para>asyncio: <c>conn, address = await loop.sock_accept(sock)</c>.</para>
    /// </summary>
    /// <param name="socket">A bound, listening, non-blocking socket.</param>
    /// <returns>A coroutine giving the connection and the peer's address (null when the peer has none, as an unnamed Unix socket).</returns>
    /// <exception cref="ArgumentException">The socket is blocking.</exception>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors.</exception>
    /// <exception cref="SocketException">At the await: the accept failed.</exception>
    public Coroutine<(Socket Socket, EndPoint? Address)> SockAcceptAsync(Socket socket)
    {
        CheckSocket(socket);
        return Accept(socket);
    }

    /// <summary>
    /// Connects to <paramref name="address"/>. A <see cref="DnsEndPoint"/> is resolved first (to an address of the
    /// socket's family).
    /// <para>asyncio: <c>await loop.sock_connect(sock, address)</c>.</para>
    /// </summary>
    /// <param name="socket">A non-blocking socket.</param>
    /// <param name="address">Where to connect.</param>
    /// <returns>A coroutine that completes once connected.</returns>
    /// <exception cref="ArgumentException">The socket is blocking.</exception>
    /// <exception cref="NotSupportedException">The loop's selector cannot watch descriptors.</exception>
    /// <exception cref="SocketException">At the await: the connection failed (<see cref="SocketError.ConnectionRefused"/>, ...).</exception>
    public Coroutine SockConnectAsync(Socket socket, EndPoint address)
    {
        CheckSocket(socket);
        ArgumentNullException.ThrowIfNull(address);
        return Connect(socket, address);
    }

    /// <summary>The checks asyncio makes before a socket operation, made at the call.</summary>
    private void CheckSocket(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (socket.Blocking) throw new ArgumentException("the socket must be non-blocking", nameof(socket));
        CheckCanWatch();
    }

    /// <summary>True for the results of a non-blocking call that mean "not now": wait for readiness and try again.</summary>
    internal static bool WouldBlock(SocketError error) =>
        error is SocketError.WouldBlock or SocketError.IOPending or SocketError.Interrupted or SocketError.InProgress;

    private async Coroutine<byte[]> Recv(Socket socket, int maxBytes)
    {
        byte[] buffer = new byte[maxBytes];
        int n = await RecvInto(socket, buffer);
        return n == maxBytes ? buffer : buffer.AsSpan(0, n).ToArray();
    }

    private async Coroutine<int> RecvInto(Socket socket, Memory<byte> buffer)
    {
        while (true)
        {
            int n = socket.Receive(buffer.Span, SocketFlags.None, out SocketError error);
            if (error == SocketError.Success) return n;
            if (!WouldBlock(error)) throw new SocketException((int)error);
            await WhenReady(socket, IoEvents.Read);
        }
    }

    private async Coroutine Sendall(Socket socket, ReadOnlyMemory<byte> data)
    {
        int sent = 0;
        while (true)
        {
            int n = socket.Send(data.Span[sent..], SocketFlags.None, out SocketError error);
            if (error == SocketError.Success)
            {
                sent += n;
                if (sent == data.Length) return;
            }
            else if (!WouldBlock(error)) throw new SocketException((int)error);
            // A partial send means the buffer is full: the next try would only fail, so wait for room first.
            await WhenReady(socket, IoEvents.Write);
        }
    }

    private async Coroutine<(Socket Socket, EndPoint? Address)> Accept(Socket socket)
    {
        while (true)
        {
            Socket? connection = TryAccept(socket);
            if (connection is not null)
            {
                connection.Blocking = false;
                return (connection, connection.RemoteEndPoint);
            }
            await WhenReady(socket, IoEvents.Read);
        }
    }

    /// <summary>One non-blocking accept: the connection, or null when none is waiting.</summary>
    internal static Socket? TryAccept(Socket socket)
    {
        try
        {
            return socket.Accept();
        }
        catch (SocketException error) when (WouldBlock(error.SocketErrorCode))
        {
            return null;
        }
    }

    private async Coroutine Connect(Socket socket, EndPoint address)
    {
        if (address is DnsEndPoint named) address = await Resolve(socket, named);
        try
        {
            socket.Connect(address);
            return;
        }
        catch (SocketException error) when (WouldBlock(error.SocketErrorCode))
        {
            // In progress: the socket turns writable when the connection is made or has failed.
        }
        await WhenReady(socket, IoEvents.Write);
        var status = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
        if (status != SocketError.Success) throw new SocketException((int)status);
        // Reading Connected makes .NET notice that its non-blocking connect finished (RemoteEndPoint, Send).
        _ = socket.Connected;
    }

    /// <summary>The first address of <paramref name="name"/> in the socket's family (asyncio: <c>_ensure_resolved</c>).</summary>
    private static async Coroutine<EndPoint> Resolve(Socket socket, DnsEndPoint name)
    {
        IPAddress[] addresses = await Dns.GetHostAddressesAsync(name.Host);
        foreach (IPAddress address in addresses)
        {
            if (address.AddressFamily == socket.AddressFamily) return new IPEndPoint(address, name.Port);
        }
        throw new SocketException((int)SocketError.HostNotFound);
    }
}
