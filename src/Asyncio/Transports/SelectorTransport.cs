using System.Net.Sockets;

namespace Asyncio;

/// <summary>
/// What the loop's socket transports add to <see cref="DescriptorTransport"/>'s lifecycle: the socket, owned and
/// registered as a socket, its reader, and socket errors as the connection's ordinary end
/// (asyncio: <c>selector_events._SelectorTransport</c>).
/// </summary>
/// <remarks>
/// <para>The socket is disposed in the connection-lost call, after the protocol heard of it, or by the loop when it
/// closes first. A subclass owns its write buffer and its protocol type.</para>
/// <para>Everything runs on the loop's thread.</para>
/// </remarks>
internal abstract class SelectorTransport : DescriptorTransport
{
    /// <summary>The socket; owned, disposed when the connection is lost (or when the loop closes).</summary>
    protected readonly Socket _socket;

    /// <summary>The selector's reader: a static invoker with the transport as its state (no delegate per connection).</summary>
    private static readonly Action<object?, object?> s_readReady = static (transport, _) => ((SelectorTransport)transport!).ReadReady();

    /// <summary>
    /// Takes ownership of <paramref name="socket"/> and schedules the start for the next iteration, where the
    /// protocol hears <c>ConnectionMade</c>, the reader is registered, and then <paramref name="waiter"/> completes
    /// (asyncio's order).
    /// </summary>
    protected SelectorTransport(EventLoop loop, Socket socket, Future<bool>? waiter)
        : base(loop, (int)socket.Handle)
    {
        _socket = socket;
        loop.OwnSocket(socket);
        ScheduleStart(waiter);
    }

    /// <summary>The reader should be registered at the start (the protocol may have paused reading meanwhile).</summary>
    protected virtual bool ReadsAfterStart => true;

    /// <summary>The selector's reader callback.</summary>
    protected abstract void ReadReady();

    /// <summary>Runs after the socket is released (a server's connection detaches itself).</summary>
    protected virtual void OnReleased()
    {
    }

    /// <summary>Registers the reader through the socket, which the portable selector needs.</summary>
    protected sealed override void Register()
    {
        if (ReadsAfterStart) AddReader();
    }

    /// <summary>Registers the reader (again, after reading was paused).</summary>
    protected void AddReader() => _loop.AddReader(_socket, s_readReady, this);

    /// <summary>A socket error (a reset, a refused send) is the connection's end, whoever raised it, as asyncio's OSError.</summary>
    protected sealed override bool IsConnectionError(Exception error) => error is SocketException;

    /// <inheritdoc/>
    protected sealed override void Release()
    {
        _loop.DisownSocket(_socket);
        _socket.Dispose();
        OnReleased();
    }
}
