using System.Text;
using System.Text.Json;

namespace Asyncio.Tests.Executors;

/// <summary>The frames between a process pool and its workers: each reply kind on the wire, and what is refused.</summary>
public class WorkerProtocolTests
{
    [Fact]
    public void Reply_IsWrittenWithItsKindFirst()
    {
        string json = Encoding.UTF8.GetString(WorkerProtocol.Encode(new OutputReply("hi\n")));
        Assert.Equal("""{"kind":"out","Text":"hi\n"}""", json);
    }

    [Fact]
    public void EveryReplyKind_RoundTrips()
    {
        WorkReply[] replies =
        [
            new ResultReply(JsonSerializer.SerializeToElement(42)),
            new ResultReply(null),
            new ErrorReply("System.IO.IOException", "disk", "at Job()"),
            new OutputReply("text"),
        ];
        foreach (WorkReply reply in replies)
        {
            WorkReply back = WorkerProtocol.Decode<WorkReply>(WorkerProtocol.Encode(reply));
            Assert.Equal(reply.GetType(), back.GetType());
            Assert.Equal(Encoding.UTF8.GetString(WorkerProtocol.Encode(reply)), Encoding.UTF8.GetString(WorkerProtocol.Encode(back)));
        }
    }

    [Fact]
    public void Reply_OfAnUnknownKind_FailsToDecode()
    {
        Assert.Throws<InvalidDataException>(() => WorkerProtocol.Decode<WorkReply>("""{"kind":"shout","Text":"x"}"""u8.ToArray()));
    }

    [Fact]
    public void Reply_WithoutAKind_FailsToDecode()
    {
        Assert.Throws<InvalidDataException>(() => WorkerProtocol.Decode<WorkReply>("""{"Text":"x"}"""u8.ToArray()));
    }
}
