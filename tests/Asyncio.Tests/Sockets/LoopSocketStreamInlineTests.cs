using static Asyncio.Tests.Sockets.SocketStreamFixtures;

namespace Asyncio.Tests.Sockets;

/// <summary>
/// Where the tasks that complete through a <see cref="LoopSocketStream"/> go on: by default .NET's rule on a thread
/// with a synchronization context (a <c>ConfigureAwait(false)</c> task continuation is queued to the thread pool);
/// with <see cref="LoopSocketStream.InlineContinuations"/>, inline on the loop thread.
/// </summary>
public class LoopSocketStreamInlineTests
{
    public static TheoryData<string> Selectors() => SocketStreamFixtures.Selectors();

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task ATaskAwaitingARead_ByDefault_GoesOnOnTheThreadPool_NotOnTheLoop(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            Task<int> continuedOn = await running.OnLoop(() => ThreadAfterChainedRead(stream));
            peer.Send("x"u8);
            Assert.NotEqual(running.ThreadId, await continuedOn.WaitAsync(Patience));
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task ATaskAwaitingARead_WithInlineContinuations_GoesOnOnTheLoopThread(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            stream.InlineContinuations = true;
            Task<int> continuedOn = await running.OnLoop(() => ThreadAfterChainedRead(stream));
            peer.Send("x"u8);
            Assert.Equal(running.ThreadId, await continuedOn.WaitAsync(Patience));
        });

    [Theory]
    [MemberData(nameof(Selectors))]
    public Task InlineContinuations_LeaveTheLoopsContextInPlace_AfterTheContinuationRan(string selector) =>
        OnAPair(selector, async (running, stream, peer) =>
        {
            stream.InlineContinuations = true;
            Task<int> read = await running.OnLoop(() => ThreadAfterChainedRead(stream));
            peer.Send("x"u8);
            await read.WaitAsync(Patience);
            bool contextBack = await running.OnLoop(() => SynchronizationContext.Current is not null);
            Assert.True(contextBack);
        });

    /// <summary>
    /// A library-style chain started on the loop thread: an async method awaits a read of the stream, an outer one
    /// awaits that task with <c>ConfigureAwait(false)</c>; gives the thread the outer one went on on.
    /// </summary>
    private static async Task<int> ThreadAfterChainedRead(LoopSocketStream stream)
    {
        await InnerRead(stream).ConfigureAwait(false);
        return Environment.CurrentManagedThreadId;

        static async Task<int> InnerRead(LoopSocketStream stream) => await stream.ReadAsync(new byte[8]).ConfigureAwait(false);
    }
}
