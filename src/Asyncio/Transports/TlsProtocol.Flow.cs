namespace Asyncio;

// The application's side of TLS: decrypted reads, encrypted writes, flow control both ways, and the close with
// close_notify (asyncio: sslproto.SSLProtocol's _do_read, _do_write, _start_shutdown, _do_shutdown).
internal sealed partial class TlsProtocol
{
    /// <summary>The application sees the connection as closing: anything but <see cref="State.Wrapped"/>.</summary>
    public bool AppClosing => _state != State.Wrapped;

    /// <summary>The application reads: neither paused nor closing.</summary>
    public bool AppReading => _state == State.Wrapped && !_appReadingPaused;

    /// <summary>Plaintext the application wrote that is not encrypted yet (asyncio: <c>get_write_buffer_size</c>).</summary>
    public int AppWriteBufferSize => _backlogSize;

    // ------------------------------------------------------------------ reading

    /// <summary>Reads from the <c>SslStream</c> while it has plaintext at hand; the first read it cannot answer at
    /// once stays pending, and its completion (posted) goes on from <see cref="ReadDone"/>.</summary>
    private void PumpReads()
    {
        while (!_readInFlight && _held == 0 && WantsReads())
        {
            ValueTask<int> read;
            try
            {
                read = _ssl.ReadAsync(_readBuffer);
            }
            catch (Exception error)
            {
                ReadFailed(error);
                return;
            }
            if (!read.IsCompleted)
            {
                _readInFlight = true;
                WhenDone(read.AsTask(), static (self, task) => self.ReadDone(task));
                break;   // the records are all taken: the socket may have to read again
            }
            int count;
            try
            {
                count = read.GetAwaiter().GetResult();
            }
            catch (Exception error)
            {
                ReadFailed(error);
                return;
            }
            Decrypted(count);
        }
        ControlPlainReading();
    }

    /// <summary>Reads go on while the application reads, and while closing, to meet the peer's close_notify; never
    /// after the peer's end, which a read would report again and again.</summary>
    private bool WantsReads() => !_eofReceived && _state switch
    {
        State.Wrapped => !_appReadingPaused,
        State.Flushing or State.ShuttingDown => true,
        _ => false,
    };

    private void ReadDone(Task<int> read)
    {
        _readInFlight = false;
        if (_state == State.Unwrapped) return;
        if (read.Exception is { } failure)
        {
            ReadFailed(failure.InnerException ?? failure);
            return;
        }
        int count = read.Result;
        if (count > 0 && _state == State.Wrapped && _appReadingPaused) _held = count;   // delivered on resume
        else Decrypted(count);
        PumpReads();
    }

    /// <summary><paramref name="count"/> plaintext bytes are in the read buffer; 0 is the peer's close_notify or EOF.</summary>
    private void Decrypted(int count)
    {
        if (count == 0)
        {
            PeerClosed();
            return;
        }
        if (_state != State.Wrapped) return;   // closing: what the peer still sends is dropped, as asyncio does
        try
        {
            if (_app is BufferedProtocol buffered) DeliverBuffered(buffered, _readBuffer.AsSpan(0, count));
            else _app.DataReceived(_readBuffer.AsSpan(0, count));
        }
        catch (Exception error)
        {
            Fatal(error, _app is BufferedProtocol
                ? "Fatal error: protocol.buffer_updated() call failed."
                : "Fatal error: protocol.data_received() call failed.");
        }
    }

    /// <summary>A buffered protocol gets the plaintext copied into the buffers it hands out (asyncio does the same).</summary>
    private static void DeliverBuffered(BufferedProtocol app, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            Memory<byte> target = app.GetBuffer(data.Length);
            if (target.IsEmpty) throw new InvalidOperationException("GetBuffer() returned an empty buffer");
            int n = Math.Min(target.Length, data.Length);
            data[..n].CopyTo(target.Span);
            app.BufferUpdated(n);
            data = data[n..];
        }
    }

    /// <summary>The peer ended its side: the application hears EOF once, and the connection closes (TLS has no
    /// half-open state in asyncio: what <see cref="Protocol.EofReceived"/> returns does not matter).</summary>
    private void PeerClosed()
    {
        _eofReceived = true;
        switch (_state)
        {
            case State.Wrapped:
                try
                {
                    _app.EofReceived();
                }
                catch (Exception error)
                {
                    Fatal(error, "Error calling eof_received()");
                    return;
                }
                StartShutdown();
                break;
            case State.ShuttingDown:
                _plain!.Close();
                break;
        }
    }

    private void ReadFailed(Exception error)
    {
        if (_state is State.Flushing or State.ShuttingDown)
        {
            // The peer went away without its close_notify while this side was closing anyway.
            _eofReceived = true;
            if (_state == State.ShuttingDown) _plain!.Close();
            return;
        }
        Fatal(error, "SSL error in data received");
    }

    /// <summary>Pauses the socket while too many records wait for a paused application, and resumes it below the low mark.</summary>
    private void ControlPlainReading()
    {
        if (_plain is null || _state == State.Unwrapped) return;
        int buffered = _records.Buffered;
        if (!_plainReadingPaused && buffered > IncomingHighWater)
        {
            _plainReadingPaused = true;
            _plain.PauseReading();
        }
        else if (_plainReadingPaused && buffered <= IncomingLowWater)
        {
            _plainReadingPaused = false;
            _plain.ResumeReading();
        }
    }

    /// <summary>asyncio: <c>_SSLProtocolTransport.pause_reading()</c>.</summary>
    public void PauseAppReading()
    {
        if (_state != State.Wrapped) return;
        _appReadingPaused = true;
    }

    /// <summary>Resumes in a later callback, as asyncio's <c>call_soon(self._do_read)</c>, so that a resume made inside
    /// <see cref="Protocol.DataReceived"/> never calls it again inside itself.</summary>
    public void ResumeAppReading()
    {
        if (_state != State.Wrapped || !_appReadingPaused) return;
        _appReadingPaused = false;
        _loop.CallSoon(static self =>
        {
            if (self._held > 0 && self.AppReading)
            {
                int held = self._held;
                self._held = 0;
                self.Decrypted(held);
            }
            self.PumpReads();
        }, this);
    }

    // ------------------------------------------------------------------ writing

    /// <summary>asyncio: <c>_SSLProtocolTransport.write(data)</c>; dropped once closing, as asyncio drops it.</summary>
    public void AppWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || _state != State.Wrapped) return;
        _backlog.Enqueue(data.ToArray());
        _backlogSize += data.Length;
        PumpWrites();
    }

    /// <summary>Encrypts the backlog, a chunk at a time, while the plain transport takes it; then, when closing with
    /// nothing left, sends close_notify.</summary>
    private void PumpWrites()
    {
        while (!_writeInFlight && !_plainWritingPaused && _backlog.Count > 0 && _state is State.Wrapped or State.Flushing)
        {
            byte[] head = _backlog.Peek();
            int count = Math.Min(WriteChunk, head.Length - _backlogOffset);
            ValueTask write;
            try
            {
                write = _ssl.WriteAsync(head.AsMemory(_backlogOffset, count));
            }
            catch (Exception error)
            {
                Fatal(error, "Fatal error on SSL protocol");
                return;
            }
            if (!write.IsCompleted)
            {
                _writeInFlight = true;
                WhenDone(write.AsTask(), (self, task) => self.WriteDone(task, count));
                return;
            }
            try
            {
                write.GetAwaiter().GetResult();
            }
            catch (Exception error)
            {
                Fatal(error, "Fatal error on SSL protocol");
                return;
            }
            Written(count);
        }
        ControlAppWriting();
        if (_state == State.Flushing && _backlog.Count == 0 && !_writeInFlight) SendCloseNotify();
    }

    private void WriteDone(Task write, int count)
    {
        _writeInFlight = false;
        if (_state == State.Unwrapped) return;
        if (write.Exception is { } failure)
        {
            Fatal(failure.InnerException ?? failure, "Fatal error on SSL protocol");
            return;
        }
        Written(count);
        PumpWrites();
    }

    private void Written(int count)
    {
        _backlogOffset += count;
        _backlogSize -= count;
        if (_backlogOffset < _backlog.Peek().Length) return;
        _backlog.Dequeue();
        _backlogOffset = 0;
    }

    /// <summary>The application's water marks apply to the backlog of plaintext (asyncio: <c>_control_app_writing</c>).</summary>
    private void ControlAppWriting()
    {
        if (!_appConnected) return;
        _appFlow.Grew(_backlogSize);
        _appFlow.Drained(_backlogSize);
    }

    /// <summary>asyncio: <c>set_write_buffer_limits</c> of the SSL transport, on the plaintext backlog.</summary>
    public void SetAppWriteBufferLimits(int? high, int? low)
    {
        _appFlow.SetMarks(high, low);
        ControlAppWriting();
    }

    // ------------------------------------------------------------------ closing

    /// <summary>asyncio: <c>_start_shutdown</c>. The backlog is written, then close_notify, then the plain transport
    /// closes once the peer's close_notify (or EOF) arrives, or after <see cref="TlsSide.ShutdownTimeout"/>.</summary>
    public void StartShutdown()
    {
        switch (_state)
        {
            case State.Handshaking:
                Abort();
                return;
            case State.Wrapped:
                _state = State.Flushing;
                _held = 0;
                _timer = _loop.CallLater(TlsSide.ShutdownTimeout, static self => self.ShutdownTimedOut(), this);
                PumpWrites();
                PumpReads();
                return;
        }
    }

    private void SendCloseNotify()
    {
        _state = State.ShuttingDown;
        Task shutdown;
        try
        {
            shutdown = _ssl.ShutdownAsync();
        }
        catch (Exception)
        {
            _plain!.Close();   // close_notify cannot be sent (the session failed): close the socket all the same
            return;
        }
        WhenDone(shutdown, static (self, task) => self.CloseNotifySent(task));
    }

    private void CloseNotifySent(Task shutdown)
    {
        if (_state != State.ShuttingDown) return;
        // Waiting for the peer's close_notify is pointless when it is gone or the session failed.
        if (_eofReceived || shutdown.IsFaulted) _plain!.Close();
        else PumpReads();
    }

    /// <summary>asyncio: <c>_check_shutdown_timeout</c> aborts with <c>TimeoutError</c>.</summary>
    private void ShutdownTimedOut()
    {
        _timer = null;
        if (_state is State.Flushing or State.ShuttingDown)
            Fatal(new TimeoutException("SSL shutdown timed out"), "SSL shutdown timed out");
    }

    /// <summary>asyncio: <c>_SSLProtocolTransport.abort()</c>: the plain transport is aborted; the application hears
    /// <see cref="Protocol.ConnectionLost"/> when its connection is lost.</summary>
    public void Abort()
    {
        if (_state == State.Unwrapped) return;
        _state = State.Unwrapped;
        CancelTimer();
        _backlog.Clear();
        _backlogSize = 0;
        _plain?.Abort();
    }
}
