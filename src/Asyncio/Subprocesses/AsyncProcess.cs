using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace Asyncio;

/// <summary>
/// A child process started by <see cref="Aio.CreateSubprocessExec"/> or <see cref="Aio.CreateSubprocessShell"/>: its
/// pipes as streams, its exit as an awaitable return code, and signals. Named apart from
/// <see cref="System.Diagnostics.Process"/>, which a program often imports too.
/// <para>asyncio: <c>asyncio.subprocess.Process</c>.</para>
/// </summary>
/// <remarks>
/// <para>Everything runs on the loop's thread. The pipes are non-blocking and watched by the loop's selector, so
/// the child's output is read as it comes; the exit is learnt from a pidfd the selector watches too.</para>
/// <para>The child outlives neither its loop nor the program: <see cref="EventLoop.Close"/> kills (SIGKILL) and
/// reaps a child still running, and so does the program's exit for children of loops never closed. asyncio leaves
/// them running; this library does not, because nothing could wait for them any more.</para>
/// <para>Cancelling <see cref="WaitAsync"/> or <see cref="CommunicateAsync"/> leaves the child running, as in
/// asyncio: kill it, or wait again. Nothing is lost: output not yet returned stays in <see cref="Stdout"/> and
/// <see cref="Stderr"/> for a later read, and input already written is still sent.</para>
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public sealed class AsyncProcess
{
    private const int SIGTERM = 15;
    private const int SIGKILL = 9;

    /// <summary>The loop the child's pipes and exit are watched on.</summary>
    private readonly EventLoop _loop;

    /// <summary>Learns of the exit; signals the child while it is not reaped.</summary>
    private readonly ChildWatcher _watcher;

    /// <summary>The coroutines waiting in <see cref="WaitAsync"/>; completed when the child is reaped.</summary>
    private readonly List<Future<int>> _exitWaiters = [];

    /// <summary>The pipe transports, closed if the process could not be set up (asyncio: the transport's <c>_pipes</c>).</summary>
    private readonly List<ITransport> _pipes = [];

    /// <summary>
    /// How many <see cref="WaitAsync"/> and <see cref="CommunicateAsync"/> calls wait for the running child. While
    /// any does, the child counts as a job in flight: a virtual clock does not jump past it (a timeout around the
    /// wait measures the child's real run, as around an executor job). A child nobody waits for holds nothing.
    /// </summary>
    private int _clockHolders;

    internal AsyncProcess(EventLoop loop, int pid)
    {
        _loop = loop;
        Pid = pid;
        _watcher = new ChildWatcher(loop, pid, OnExited);
    }

    /// <summary>
    /// The child's process id.
    /// <para>asyncio: <c>Process.pid</c>.</para>
    /// </summary>
    public int Pid { get; }

    /// <summary>
    /// The exit status once the child has exited, or the negated number of the signal that killed it (-9 for
    /// SIGKILL); null while it runs. Set by the loop when it learns of the exit, not by a query.
    /// <para>asyncio: <c>Process.returncode</c>.</para>
    /// </summary>
    public int? ReturnCode { get; private set; }

    /// <summary>
    /// The writer of the child's standard input when it was made with <c>stdin: Subprocess.Pipe</c>, else null.
    /// <c>Close()</c> it to give the child EOF.
    /// <para>asyncio: <c>Process.stdin</c>.</para>
    /// </summary>
    public AsyncStreamWriter? Stdin { get; private set; }

    /// <summary>
    /// The reader of the child's standard output when it was made with <c>stdout: Subprocess.Pipe</c>, else null.
    /// <para>asyncio: <c>Process.stdout</c>.</para>
    /// </summary>
    public AsyncStreamReader? Stdout { get; private set; }

    /// <summary>
    /// The reader of the child's standard error when it was made with <c>stderr: Subprocess.Pipe</c>, else null.
    /// <para>asyncio: <c>Process.stderr</c>.</para>
    /// </summary>
    public AsyncStreamReader? Stderr { get; private set; }

    /// <summary>Whether the exit is learnt from a pidfd (true on Linux 5.3+) or from a waiting thread.</summary>
    internal bool WatchesPidfd => _watcher.WatchesPidfd;

    /// <summary>
    /// Waits for the child to exit and gives its <see cref="ReturnCode"/>. With a pipe that nobody reads, a child
    /// that writes much blocks and never exits: read it, or use <see cref="CommunicateAsync"/>.
    /// <para>asyncio: <c>await Process.wait()</c>.</para>
    /// </summary>
    /// <returns>A coroutine giving the return code.</returns>
    /// <remarks>Cancelling the wait leaves the child running; a later wait gets its return code.</remarks>
    public async Coroutine<int> WaitAsync()
    {
        if (ReturnCode is { } code) return code;
        Future<int> waiter = _loop.CreateFuture<int>();
        _exitWaiters.Add(waiter);
        HoldClock();
        try
        {
            return await waiter;
        }
        finally
        {
            _exitWaiters.Remove(waiter);
            ReleaseClock();
        }
    }

    /// <summary>
    /// Writes <paramref name="input"/> to the child's stdin and closes it, reads its stdout and stderr to the end,
    /// all at the same time (so a child that writes a lot before it reads cannot deadlock), then waits for it to exit.
    /// A child that stops reading its stdin early is no error: the rest of the input is dropped, as in asyncio.
    /// <para>asyncio: <c>stdout, stderr = await Process.communicate(input=None)</c>.</para>
    /// </summary>
    /// <param name="input">Bytes for the child's stdin, or null to only close it.</param>
    /// <returns>A coroutine giving everything the child wrote on each pipe; an empty array for a stream that is not a
    /// pipe (asyncio gives <c>None</c>).</returns>
    /// <exception cref="InvalidOperationException"><paramref name="input"/> is given but stdin is not a pipe (asyncio fails with an <c>AttributeError</c>).</exception>
    /// <remarks>Cancelled, it leaves the child running and loses nothing: output not returned stays in <see cref="Stdout"/>
    /// and <see cref="Stderr"/>, and input already handed to stdin is still sent (stdin stays open).</remarks>
    public Coroutine<(byte[] Stdout, byte[] Stderr)> CommunicateAsync(byte[]? input = null)
    {
        if (input is not null && Stdin is null) throw new InvalidOperationException("Input given, but the process's stdin is not a pipe (stdin: Subprocess.Pipe)");
        return Communicate(input);
    }

    private async Coroutine<(byte[] Stdout, byte[] Stderr)> Communicate(byte[]? input)
    {
        HoldClock();
        try
        {
            byte[][] output = await Aio.Gather(FeedStdin(input), ReadToEnd(Stdout), ReadToEnd(Stderr));
            await WaitAsync();
            return (output[1], output[2]);
        }
        finally
        {
            ReleaseClock();
        }
    }

    private void HoldClock()
    {
        if (ReturnCode is null && _clockHolders++ == 0) _loop.JobStarted();
    }

    private void ReleaseClock()
    {
        if (_clockHolders > 0 && --_clockHolders == 0) StopCountingAsJob();
    }

    /// <summary>The loop stops counting a job when its completion is posted; here there is nothing left to run.</summary>
    private void StopCountingAsJob() => _loop.PostJobCompletion(static (_, _) => { }, null, null);

    /// <summary>Writes the input and closes stdin; a child that closed its end already is no error (asyncio's <c>_feed_stdin</c>).</summary>
    private async Coroutine<byte[]> FeedStdin(byte[]? input)
    {
        if (Stdin is null) return [];
        try
        {
            if (input is { Length: > 0 })
            {
                Stdin.Write(input);
                await Stdin.DrainAsync();
            }
        }
        catch (Exception error) when (error is IOException or SocketException)
        {
            // The child closed its stdin (a broken pipe, or the pipe already closed): communicate goes on.
        }
        Stdin.Close();
        return [];
    }

    private static async Coroutine<byte[]> ReadToEnd(AsyncStreamReader? reader) => reader is null ? [] : await reader.ReadAsync();

    /// <summary>
    /// Sends <paramref name="signal"/> (a POSIX signal number) to the child.
    /// <para>asyncio: <c>Process.send_signal(signal)</c>.</para>
    /// </summary>
    /// <param name="signal">The signal's number, as in <c>kill -l</c> (15 SIGTERM, 9 SIGKILL, 2 SIGINT, ...).</param>
    /// <exception cref="InvalidOperationException">The child has exited and was reaped (asyncio's <c>ProcessLookupError</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="signal"/> is not positive.</exception>
    public void SendSignal(int signal)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(signal);
        _watcher.Signal(signal);
    }

    /// <summary>
    /// Asks the child to end: SIGTERM.
    /// <para>asyncio: <c>Process.terminate()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The child has exited and was reaped.</exception>
    public void Terminate() => _watcher.Signal(SIGTERM);

    /// <summary>
    /// Kills the child: SIGKILL. Its <see cref="ReturnCode"/> becomes -9.
    /// <para>asyncio: <c>Process.kill()</c>.</para>
    /// </summary>
    /// <exception cref="InvalidOperationException">The child has exited and was reaped.</exception>
    public void Kill() => _watcher.Signal(SIGKILL);

    /// <summary>
    /// Makes the pipes' transports and streams; completes once every protocol heard ConnectionMade (asyncio's
    /// <c>_connect_pipes</c>). Cancelled or failed on the way, it closes the pipes and kills the child, as asyncio does.
    /// </summary>
    internal async Coroutine ConnectPipes(SpawnedChild child, int limit)
    {
        var connected = new List<Future<bool>>();
        // stdin's protocol gets a reader of its own that nothing feeds: the writer's drain looks there for an error.
        StreamReaderProtocol? stdin = child.Stdin is { } stdinPipe ? Connect(stdinPipe, new AsyncStreamReader(limit), toChild: true, connected) : null;
        if (child.Stdout is { } stdoutPipe) Connect(stdoutPipe, Stdout = new AsyncStreamReader(limit), toChild: false, connected);
        if (child.Stderr is { } stderrPipe) Connect(stderrPipe, Stderr = new AsyncStreamReader(limit), toChild: false, connected);
        try
        {
            foreach (Future<bool> made in connected) await made;
        }
        catch
        {
            foreach (ITransport pipe in _pipes) pipe.Abort();
            if (ReturnCode is null) _watcher.Signal(SIGKILL);
            throw;
        }
        Stdin = stdin?.Writer;
    }

    /// <summary>A transport over one pipe with a stream protocol; <paramref name="connected"/> gets the future of its ConnectionMade.</summary>
    private StreamReaderProtocol Connect(SafeFileHandle pipe, AsyncStreamReader reader, bool toChild, List<Future<bool>> connected)
    {
        var protocol = new StreamReaderProtocol(_loop, reader);
        Future<bool> made = _loop.CreateFuture<bool>();
        connected.Add(made);
        _pipes.Add(toChild ? new WritePipeTransport(_loop, pipe, protocol, made) : new ReadPipeTransport(_loop, pipe, protocol, made));
        return protocol;
    }

    /// <summary>The child was reaped: set the return code and wake every wait.</summary>
    private void OnExited(int code)
    {
        ReturnCode = code;
        if (_clockHolders > 0)
        {
            // The waits still to resume need no clock: what they wait for has happened.
            _clockHolders = 0;
            StopCountingAsJob();
        }
        foreach (Future<int> waiter in _exitWaiters.ToArray())
        {
            if (!waiter.IsDone) waiter.SetResult(code);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => ReturnCode is { } code ? $"<AsyncProcess {Pid} returncode={code}>" : $"<AsyncProcess {Pid}>";
}
