using System.Net;
using System.Net.Sockets;

namespace Asyncio.Tests.Datagrams;

/// <summary>A datagram protocol that records every callback, in order.</summary>
internal class RecordingDatagramProtocol : DatagramProtocol
{
    public IDatagramTransport? Transport;
    public readonly List<string> Events = [];
    public readonly List<(byte[] Data, EndPoint From)> Received = [];
    public readonly List<Exception> Errors = [];
    public int LostCalls;
    public Exception? LostWith;
    public int Pauses, Resumes;

    public override void ConnectionMade(IDatagramTransport transport)
    {
        Transport = transport;
        Events.Add("made");
    }

    public override void DatagramReceived(ReadOnlySpan<byte> data, EndPoint address)
    {
        Received.Add((data.ToArray(), address));
        Events.Add("datagram");
    }

    public override void ErrorReceived(Exception exception)
    {
        Errors.Add(exception);
        Events.Add("error");
    }

    public override void ConnectionLost(Exception? exception)
    {
        LostCalls++;
        LostWith = exception;
        Events.Add("lost");
    }

    public override void PauseWriting() => Pauses++;

    public override void ResumeWriting() => Resumes++;
}

/// <summary>Sends every datagram back to its sender.</summary>
internal sealed class EchoDatagramProtocol : RecordingDatagramProtocol
{
    public override void DatagramReceived(ReadOnlySpan<byte> data, EndPoint address)
    {
        base.DatagramReceived(data, address);
        Transport!.SendTo(data, address);
    }
}

internal static class DatagramFixtures
{
    /// <summary>The loopback address of <paramref name="family"/> (<c>"ipv4"</c> or <c>"ipv6"</c>).</summary>
    public static IPAddress Loopback(string family) => family == "ipv6" ? IPAddress.IPv6Loopback : IPAddress.Loopback;

    /// <summary>Where an endpoint is bound.</summary>
    public static IPEndPoint LocalOf(IDatagramTransport transport) => (IPEndPoint)transport.GetExtraInfo("sockname")!;

    /// <summary>A UDP port on <paramref name="address"/> that nobody listens on (bound, then released).</summary>
    public static IPEndPoint ClosedPort(IPAddress address)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }
}
