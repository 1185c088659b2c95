namespace Asyncio.Tests.Transports;

/// <summary>
/// The byte buffer behind transports' pending writes and stream readers' unread bytes: a struct that holds no
/// array while empty, keeps bytes in order across consumes and appends, and hands its storage out whole when it can.
/// </summary>
public class WriteBufferTests
{
    private static byte[] Bytes(int from, int count) => Enumerable.Range(from, count).Select(i => (byte)i).ToArray();

    [Fact]
    public void ANewBuffer_IsEmpty_AndTakesNothing()
    {
        var buffer = new WriteBuffer();

        Assert.Equal(0, buffer.Count);
        Assert.True(buffer.Pending.IsEmpty);
        Assert.Empty(buffer.Take(0));
    }

    [Fact]
    public void AppendsAndConsumes_KeepTheBytesInOrder()
    {
        var buffer = new WriteBuffer();
        buffer.Append(Bytes(0, 10));
        buffer.Consume(4);
        buffer.Append(Bytes(10, 20));   // grows: the 6 pending bytes move to the front of the new array
        buffer.Consume(3);
        buffer.Append(Bytes(30, 3));    // fits after compacting in place

        Assert.Equal(Bytes(7, 26), buffer.Pending.ToArray());
    }

    [Fact]
    public void TakingEverythingAppendedToAnEmptyBuffer_HandsOutItsStorage()
    {
        var buffer = new WriteBuffer();
        byte[] data = Bytes(0, 100);
        buffer.Append(data);

        byte[] taken = buffer.Take(100);

        Assert.Equal(data, taken);
        Assert.Equal(0, buffer.Count);
        buffer.Append(Bytes(1, 5));     // the buffer made a new array: the taken one is the caller's now
        Assert.Equal(data, taken);
    }

    [Fact]
    public void TakingPartOfThePendingBytes_CopiesThem_AndLeavesTheRest()
    {
        var buffer = new WriteBuffer();
        buffer.Append(Bytes(0, 10));

        Assert.Equal(Bytes(0, 4), buffer.Take(4));
        Assert.Equal(Bytes(4, 6), buffer.Pending.ToArray());
    }

    [Fact]
    public void Clear_EmptiesTheBuffer_AndItFillsAgain()
    {
        var buffer = new WriteBuffer();
        buffer.Append(Bytes(0, 10));
        buffer.Clear();

        Assert.Equal(0, buffer.Count);
        buffer.Append(Bytes(5, 3));
        Assert.Equal(Bytes(5, 3), buffer.Pending.ToArray());
    }
}
