namespace Asyncio.Tests.Loop;

/// <summary>
/// A main task that ends cancelled leaves <c>Aio.Run</c> with the <see cref="CancelledError"/> that carries its
/// cancel message (asyncio 3.11+: <c>asyncio.run</c> raises <c>CancelledError('bye')</c>).
/// </summary>
public class RunnerCancelMessageTests
{
    [Fact]
    public void Run_MainCancelledWithAMessage_ThrowsCancelledErrorWithThatMessage() => IsolatedThread.Run(() =>
    {
        static async Coroutine<int> CancelsItself()
        {
            Aio.CurrentTask()!.Cancel("bye");
            await Aio.Sleep(1);
            return 1;
        }

        var error = Assert.Throws<CancelledError>(() => Aio.Run(CancelsItself(), virtualTime: true));
        Assert.Equal("bye", error.Message);
        Assert.Equal("bye", error.CancelMessage);
    });

    [Fact]
    public void Run_ResultlessMainCancelledLaterWithAMessage_ThrowsCancelledErrorWithThatMessage() => IsolatedThread.Run(() =>
    {
        static async Coroutine CancelledByATimer()
        {
            AioTask self = Aio.CurrentTask()!;
            Aio.GetRunningLoop().CallLater(0.01, () => self.Cancel("later"));
            await Aio.Sleep(1);
        }

        Assert.Equal("later", Assert.Throws<CancelledError>(() => Aio.Run(CancelledByATimer(), virtualTime: true)).CancelMessage);
    });

    [Fact]
    public void Run_MainThrowsCancelledErrorWithAMessage_ThrowsThatError() => IsolatedThread.Run(() =>
    {
        var thrown = new CancelledError("direct");

        async Coroutine<int> Throws()
        {
            await Aio.Sleep(0);
            throw thrown;
        }

        Assert.Same(thrown, Assert.Throws<CancelledError>(() => Aio.Run(Throws())));
    });
}
