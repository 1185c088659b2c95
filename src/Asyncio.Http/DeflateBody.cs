using System.IO.Compression;

namespace Asyncio.Http;

/// <summary>
/// Decodes a body sent with <c>Content-Encoding: deflate</c>, which servers send in either of two formats: zlib
/// (RFC 1950, what the name means) or raw DEFLATE (RFC 1951, what some servers and proxies send). The first byte
/// tells them apart (a zlib stream starts with a method nibble of 8), as aiohttp and .NET's own decompression decide;
/// the byte is read at the first read, then handed to the decoder it chose.
/// </summary>
internal sealed class DeflateBody : ReadOnlyStream
{
    private readonly Stream _sent;
    private Stream? _decoder;

    public DeflateBody(Stream sent) => _sent = sent;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_decoder is null)
        {
            byte[] first = new byte[1];
            int read = await _sent.ReadAsync(first, cancellationToken).ConfigureAwait(false);
            _decoder = Choose(read == 0 ? null : first[0]);
        }
        return await _decoder.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override int Read(Span<byte> buffer)
    {
        if (_decoder is null)
        {
            Span<byte> first = stackalloc byte[1];
            _decoder = Choose(_sent.Read(first) == 0 ? null : first[0]);
        }
        return _decoder.Read(buffer);
    }

    /// <summary>The decoder for a body whose first byte is <paramref name="first"/> (null: the body is empty).</summary>
    private Stream Choose(byte? first)
    {
        if (first is not { } b) return Null;
        Stream rest = new FirstByteThen(b, _sent);
        return (b & 0x0F) == 8 ? new ZLibStream(rest, CompressionMode.Decompress) : new DeflateStream(rest, CompressionMode.Decompress);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _decoder?.Dispose();
            _sent.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>A byte already read, then the rest of a stream.</summary>
    private sealed class FirstByteThen(byte first, Stream rest) : ReadOnlyStream
    {
        private bool _firstGiven;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_firstGiven || buffer.IsEmpty) return rest.ReadAsync(buffer, cancellationToken);
            buffer.Span[0] = first;
            _firstGiven = true;
            return ValueTask.FromResult(1);
        }

        public override int Read(Span<byte> buffer)
        {
            if (_firstGiven || buffer.IsEmpty) return rest.Read(buffer);
            buffer[0] = first;
            _firstGiven = true;
            return 1;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) rest.Dispose();
            base.Dispose(disposing);
        }
    }
}
