using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Asyncio;

/// <summary>A call sent to a worker process: the method by assembly path and metadata token, and its argument as JSON.</summary>
/// <param name="Assembly">Path of the assembly that declares the method.</param>
/// <param name="Token">The method's metadata token in that assembly (exact, whatever its overloads).</param>
/// <param name="Args">The arguments, one JSON value per parameter.</param>
internal sealed record WorkRequest(string Assembly, int Token, JsonElement[] Args);

/// <summary>
/// A message from a worker process, one of a closed set: <see cref="ResultReply"/> and <see cref="ErrorReply"/> end
/// a job, <see cref="OutputReply"/> carries what the job wrote to its console and may come any number of times before.
/// </summary>
/// <remarks>
/// On the wire the kind is the JSON property <c>kind</c>, written first, followed by the fields of that kind:
/// <c>{"kind":"result","Value":42}</c>, <c>{"kind":"error","Type":"System.IO.IOException","Message":"...","Stack":"..."}</c>,
/// <c>{"kind":"out","Text":"hello\n"}</c>. A frame of another kind or none fails to decode (<see cref="InvalidDataException"/>),
/// which the parent treats like a worker that died.
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(ResultReply), "result")]
[JsonDerivedType(typeof(ErrorReply), "error")]
[JsonDerivedType(typeof(OutputReply), "out")]
internal abstract record WorkReply
{
    /// <summary>Only the three kinds below derive from this: the set is closed.</summary>
    private protected WorkReply() { }
}

/// <summary>The job returned: its result as JSON (null for a method returning <c>void</c>).</summary>
/// <param name="Value">The result, serialized with the method's declared return type.</param>
internal sealed record ResultReply(JsonElement? Value) : WorkReply;

/// <summary>The job threw (or could not be called).</summary>
/// <param name="Type">The exception's full type name.</param>
/// <param name="Message">The exception's message.</param>
/// <param name="Stack">The exception's stack trace in the worker.</param>
internal sealed record ErrorReply(string Type, string Message, string? Stack) : WorkReply;

/// <summary>A chunk the running job wrote to <see cref="Console.Out"/>, for the parent to print.</summary>
/// <param name="Text">The text, usually up to and including a newline.</param>
internal sealed record OutputReply(string Text) : WorkReply;

/// <summary>
/// The frames exchanged with a worker process over its standard input and output: a 4-byte little-endian
/// length, then that many bytes of UTF-8 JSON.
/// </summary>
internal static class WorkerProtocol
{
    public static byte[] Encode(WorkRequest request) => JsonSerializer.SerializeToUtf8Bytes(request);

    /// <summary>Encodes a reply as its base type, so the <c>kind</c> is written (a derived static type would omit it).</summary>
    public static byte[] Encode(WorkReply reply) => JsonSerializer.SerializeToUtf8Bytes(reply);

    /// <exception cref="InvalidDataException">The frame is not a message of this protocol: not JSON, null, or a reply of an unknown or missing kind.</exception>
    public static T Decode<T>(byte[] frame)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(frame) ?? throw new InvalidDataException("empty frame from the worker protocol");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            // NotSupportedException: a reply without a kind (the abstract WorkReply cannot be made).
            throw new InvalidDataException("not a frame of the worker protocol", e);
        }
    }

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
