using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Asyncio;

/// <summary>
/// Ctrl-C while a runner runs its main task (asyncio: <c>Runner._on_sigint</c>). The first SIGINT cancels the
/// main task, so its <c>finally</c> blocks and task groups unwind, and the runner turns the resulting
/// <see cref="CancelledError"/> into <see cref="KeyboardInterrupt"/>. A second SIGINT, or one that arrives after
/// the main task is done, gets the default handling: the process ends, killed by SIGINT (exit status 130), where
/// asyncio raises <c>KeyboardInterrupt</c> at whatever the main thread is doing.
/// </summary>
/// <remarks>
/// <para>asyncio installs its handler only in the main thread, and only while SIGINT still has Python's default
/// handler. .NET has no main thread a library can recognise, and no way to see other SIGINT handlers
/// (<see cref="Console.CancelKeyPress"/>, a host's <see cref="PosixSignalRegistration"/>). The nearest rule: one
/// runner at a time holds Ctrl-C, the first to start a run while no other holds it; runs that start meanwhile, on
/// other threads, go without, as asyncio's runners outside the main thread do. Handlers the program registered
/// itself are still called: .NET calls every registration, and ends the process only if none cancels.</para>
/// <para>The signal arrives on a thread of .NET's own: the cancellation is posted to the loop with
/// <see cref="EventLoop.CallSoonThreadsafe{TState}(Action{TState}, TState)"/>, which also wakes an idle loop.</para>
/// </remarks>
internal sealed class SigintHandler : IDisposable
{
    /// <summary>1 while a runner holds Ctrl-C, 0 otherwise; taken and released with atomic writes.</summary>
    private static int s_held;

    /// <summary>The loop running the main task.</summary>
    private readonly EventLoop _loop;

    /// <summary>The task the first SIGINT cancels.</summary>
    private readonly AioTask _mainTask;

    /// <summary>The registration with the runtime; disposed when the run ends.</summary>
    private readonly PosixSignalRegistration _registration;

    /// <summary>SIGINTs received (asyncio: <c>_interrupt_count</c>); incremented on the signal thread.</summary>
    private int _count;

    private SigintHandler(EventLoop loop, AioTask mainTask)
    {
        _loop = loop;
        _mainTask = mainTask;
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSigint);
    }

    /// <summary>True once a SIGINT arrived during the run.</summary>
    public bool Interrupted => Volatile.Read(ref _count) > 0;

    /// <summary>
    /// Takes Ctrl-C for the run of <paramref name="mainTask"/>; null when another run holds it or the platform
    /// has no SIGINT (the run then goes without, as asyncio's does when <c>signal.signal</c> fails).
    /// </summary>
    public static SigintHandler? TryInstall(EventLoop loop, AioTask mainTask)
    {
        if (Interlocked.CompareExchange(ref s_held, 1, 0) != 0) return null;
        try
        {
            return new SigintHandler(loop, mainTask);
        }
        catch (Exception error) when (error is PlatformNotSupportedException or Win32Exception)
        {
            Volatile.Write(ref s_held, 0);
            return null;
        }
    }

    /// <summary>Removes the registration and lets the next run take Ctrl-C.</summary>
    public void Dispose()
    {
        _registration.Dispose();
        Volatile.Write(ref s_held, 0);
    }

    private void OnSigint(PosixSignalContext context)
    {
        // IsDone is read off the loop thread: a stale answer only means the cancel reaches a task that has just
        // finished, where it does nothing, which asyncio's handler cannot tell apart either.
        if (Interlocked.Increment(ref _count) != 1 || _mainTask.IsDone) return;
        try
        {
            _loop.CallSoonThreadsafe(static task => task.Cancel(), _mainTask);
            context.Cancel = true;
        }
        catch (InvalidOperationException)
        {
            // The loop closed between the run's end and the registration's removal: nothing is left to cancel,
            // and the default handling ends the process, as asyncio's KeyboardInterrupt would.
        }
    }
}
