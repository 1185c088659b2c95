using System.Buffers.Binary;
using System.Text.Json;

namespace Asyncio;

/// <summary>A call sent to a worker process: the method by assembly path and metadata token, and its argument as JSON.</summary>
/// <param name="Assembly">Path of the assembly that declares the method.</param>
/// <param name="Token">The method's metadata token in that assembly (exact, whatever its overloads).</param>
/// <param name="Args">The arguments, one JSON value per parameter.</param>
internal sealed record WorkRequest(string Assembly, int Token, JsonElement[] Args);

/// <summary>A message from a worker process: a result, an error, or a line the job wrote to its console.</summary>
/// <param name="Kind"><c>result</c>, <c>error</c> or <c>out</c>.</param>
/// <param name="Value">The result as JSON (<c>result</c>).</param>
/// <param name="Type">The exception's type name (<c>error</c>).</param>
/// <param name="Message">The exception's message (<c>error</c>).</param>
/// <param name="Stack">The exception's stack trace (<c>error</c>).</param>
/// <param name="Text">What the job wrote to <see cref="Console.Out"/> (<c>out</c>).</param>
internal sealed record WorkReply(string Kind, JsonElement? Value = null, string? Type = null, string? Message = null,
    string? Stack = null, string? Text = null);

/// <summary>
/// The frames exchanged with a worker process over its standard input and output: a 4-byte little-endian
/// length, then that many bytes of UTF-8 JSON.
/// </summary>
internal static class WorkerProtocol
{
    public static byte[] Encode<T>(T message) => JsonSerializer.SerializeToUtf8Bytes(message);

    public static T Decode<T>(byte[] frame) => JsonSerializer.Deserialize<T>(frame)
        ?? throw new InvalidDataException("empty frame from the worker protocol");

    public static void Write(Stream stream, byte[] payload)
    {
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        stream.Write(header);
        stream.Write(payload);
        stream.Flush();
    }

    /// <summary>The next frame, or null at the end of the stream (the other side has gone).</summary>
    /// <exception cref="EndOfStreamException">The stream ended in the middle of a frame.</exception>
    public static byte[]? Read(Stream stream)
    {
        Span<byte> header = stackalloc byte[4];
        int got = stream.ReadAtLeast(header, 4, throwOnEndOfStream: false);
        if (got == 0) return null;
        if (got < 4) throw new EndOfStreamException("truncated frame header");
        int length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 0) throw new InvalidDataException("negative frame length");
        var payload = new byte[length];
        stream.ReadExactly(payload);
        return payload;
    }
}
