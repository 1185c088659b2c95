using System.Text;

namespace Asyncio.Tests.Streams;

/// <summary>
/// <see cref="AsyncStreamReader"/> fed by hand, without a socket (as CPython's <c>test_streams</c> does with
/// <c>feed_data</c>): each read's result at EOF and over the limit, and what waiting and cancelling leave in the buffer.
/// </summary>
public class StreamReaderTests
{
    private static byte[] B(string text) => Encoding.ASCII.GetBytes(text);

    private static string S(byte[] bytes) => Encoding.ASCII.GetString(bytes);

    [Fact]
    public void ReadLine_ReturnsTheLineWithItsNewline_ThenTheNext() =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader();
            reader.FeedData(B("line1\nline2\n"));
            Assert.Equal("line1\n", S(await reader.ReadLineAsync()));
            Assert.Equal("line2\n", S(await reader.ReadLineAsync()));
        });

    [Fact]
    public void ReadLine_AtEof_ReturnsThePartialLine_ThenEmpty() =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader();
            reader.FeedData(B("some data"));
            reader.FeedEof();
            Assert.Equal("some data", S(await reader.ReadLineAsync()));
            Assert.Empty(await reader.ReadLineAsync());
            Assert.True(reader.AtEof);
        });

    [Fact]
    public void ReadLine_OverTheLimit_ThrowsInvalidData_AndDropsTheLongLine() =>
        TestLoop.RunVirtual(async () =>
        {
            // CPython's test_readline_limit: the over-long line is dropped up to its newline, the next line stays.
            var reader = new AsyncStreamReader(limit: 7);
            reader.FeedData(B("1234567890\nchunk\n"));
            var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadLineAsync());
            Assert.IsType<LimitOverrunError>(error.InnerException);
            Assert.Equal("chunk\n", S(await reader.ReadLineAsync()));
        });

    [Fact]
    public void ReadLine_OverTheLimitWithoutNewline_ClearsTheBuffer() =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader(limit: 7);
            reader.FeedData(B("12345678901234567890"));
            await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadLineAsync());
            reader.FeedEof();
            Assert.Empty(await reader.ReadAsync());
        });

    [Fact]
    public void ReadExactly_AtEof_ThrowsIncompleteRead_WithThePartialBytes() =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader();
            reader.FeedData(B("abc"));
            reader.FeedEof();
            var error = await Assert.ThrowsAsync<IncompleteReadError>(async () => await reader.ReadExactlyAsync(10));
            Assert.Equal("abc", S(error.Partial));
            Assert.Equal(10, error.Expected);
            Assert.IsAssignableFrom<EndOfStreamException>(error);
        });

    [Fact]
    public void ReadExactly_WaitsAcrossFeeds_AndLeavesTheRest() =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader();
            AioTask<byte[]> read = Aio.CreateTask(reader.ReadExactlyAsync(6));
            await Aio.Sleep(0);
            reader.FeedData(B("abc"));
            await Aio.Sleep(0);
            Assert.False(read.IsDone);
            reader.FeedData(B("defgh"));
            Assert.Equal("abcdef", S(await read));
            Assert.Equal("gh", S(await reader.ReadAsync(100)));
        });

    [Fact]
    public void ReadUntil_MultiByteSeparatorSplitAcrossFeeds_IsFound() =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader();
            AioTask<byte[]> read = Aio.CreateTask(reader.ReadUntilAsync(B("\r\n\r\n")));
            foreach (string part in new[] { "head", "er\r", "\n", "\r", "\nbody" })
            {
                await Aio.Sleep(0);
                Assert.False(read.IsDone);
                reader.FeedData(B(part));
            }
            Assert.Equal("header\r\n\r\n", S(await read));
            Assert.Equal("body", S(await reader.ReadAsync(100)));
        });

    [Theory]
    [InlineData("0123456789", "!!", 9)]   // not found: CPython's buflen + 1 - len(separator)
    [InlineData("0123456!", "!", 7)]      // found, but beyond the limit: its offset
    public void ReadUntil_OverTheLimit_ThrowsLimitOverrun_AndConsumesNothing(string data, string separator, int consumed) =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader(limit: 5);
            reader.FeedData(B(data));
            var error = await Assert.ThrowsAsync<LimitOverrunError>(async () => await reader.ReadUntilAsync(B(separator)));
            Assert.Equal(consumed, error.Consumed);
            Assert.Equal(data, S(await reader.ReadAsync(100)));
        });

    [Fact]
    public void ReadUntil_AtEof_ThrowsIncompleteRead_WithoutExpected() =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader();
            reader.FeedData(B("no separator"));
            reader.FeedEof();
            var error = await Assert.ThrowsAsync<IncompleteReadError>(async () => await reader.ReadUntilAsync(B("\n")));
            Assert.Equal("no separator", S(error.Partial));
            Assert.Null(error.Expected);
        });

    [Fact]
    public void Read_MinusOne_ReadsUntilEof() =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader(limit: 4);
            AioTask<byte[]> read = Aio.CreateTask(reader.ReadAsync());
            for (int i = 0; i < 5; i++)
            {
                await Aio.Sleep(0);
                reader.FeedData(B($"chunk{i};"));
            }
            await Aio.Sleep(0);
            Assert.False(read.IsDone);
            reader.FeedEof();
            Assert.Equal("chunk0;chunk1;chunk2;chunk3;chunk4;", S(await read));
        });

    [Fact]
    public void Read_Zero_ReturnsEmptyAtOnce_AndReadN_TakesWhatIsThere() =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader();
            Assert.Empty(await reader.ReadAsync(0));
            reader.FeedData(B("abc"));
            Assert.Equal("ab", S(await reader.ReadAsync(2)));
            Assert.Equal("c", S(await reader.ReadAsync(100)));
        });

    [Fact]
    public void CancellingAWaitingRead_LosesNoBytes() =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader();
            reader.FeedData(B("part"));
            AioTask<byte[]> read = Aio.CreateTask(reader.ReadExactlyAsync(10));
            await Aio.Sleep(0);
            read.Cancel();
            await Assert.ThrowsAsync<CancelledError>(async () => await read);
            reader.FeedData(B("ial line\n"));
            Assert.Equal("partial line\n", S(await reader.ReadLineAsync()));
        });

    [Fact]
    public void TwoConcurrentReads_TheSecondThrowsInvalidOperation() =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader();
            AioTask<byte[]> first = Aio.CreateTask(reader.ReadLineAsync());
            await Aio.Sleep(0);
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await reader.ReadAsync(5));
            reader.FeedData(B("ok\n"));
            Assert.Equal("ok\n", S(await first));
        });

    [Fact]
    public void SetException_WakesTheWaitingRead_AndFailsLaterReads() =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader();
            AioTask<byte[]> read = Aio.CreateTask(reader.ReadAsync(5));
            await Aio.Sleep(0);
            var error = new IOException("gone");
            reader.SetException(error);
            Assert.Same(error, await Assert.ThrowsAsync<IOException>(async () => await read));
            Assert.Same(error, await Assert.ThrowsAsync<IOException>(async () => await reader.ReadLineAsync()));
            Assert.Same(error, reader.Exception());
        });

    [Fact]
    public void SetException_BetweenAWakeUpAndTheNextWait_FailsTheRead_InsteadOfHanging() =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader();
            AioTask<byte[]> read = Aio.CreateTask(reader.ReadExactlyAsync(10));
            await Aio.Sleep(0);
            reader.FeedData(B("abc"));             // wakes the read, which has not run yet
            reader.SetException(new IOException("reset"));
            await Assert.ThrowsAsync<IOException>(async () => await Aio.Timeout(1, read));
        });

    [Fact]
    public void SetException_AfterACancelledRead_IsHarmless() =>
        TestLoop.RunVirtual(async () =>
        {
            // CPython's test_exception_cancel: the cancelled waiter must not be given the exception.
            var reader = new AsyncStreamReader();
            AioTask<byte[]> read = Aio.CreateTask(reader.ReadLineAsync());
            await Aio.Sleep(0);
            read.Cancel();
            await Aio.Sleep(0);
            reader.SetException(new IOException("late"));
            await Assert.ThrowsAsync<CancelledError>(async () => await read);
        });

    [Fact]
    public void ReadExactly_ZeroIsEmpty_NegativeThrows() =>
        TestLoop.RunVirtual(async () =>
        {
            var reader = new AsyncStreamReader();
            reader.FeedData(B("data"));
            Assert.Empty(await reader.ReadExactlyAsync(0));
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await reader.ReadExactlyAsync(-1));
            Assert.Equal("data", S(await reader.ReadAsync(100)));
        });

    [Fact]
    public void BadArguments_AreRejectedAtTheCall()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Aio.OpenConnection("127.0.0.1", 70_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => Aio.OpenConnection("127.0.0.1", 80, limit: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Aio.StartServer((r, w) => Aio.Sleep(0), "127.0.0.1", -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Aio.StartUnixServer((r, w) => Aio.Sleep(0), "/tmp/x.sock", backlog: 0));
        Assert.Throws<ArgumentException>(() => Aio.OpenUnixConnection(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncStreamReader(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncStreamReader(-1));
    }
}
