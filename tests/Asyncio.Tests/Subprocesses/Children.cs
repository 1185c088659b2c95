using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Asyncio.Tests.Selectors;

namespace Asyncio.Tests.Subprocesses;

/// <summary>What the subprocess tests share: a run on a real-time epoll loop with a watchdog, and views of /proc.</summary>
internal static class Children
{
    /// <summary>Runs <paramref name="main"/> on a new epoll loop, stopped by a watchdog after <paramref name="limitSeconds"/>.</summary>
    public static T Run<T>(Func<Coroutine<T>> main, double limitSeconds = 60) => SelectorLoops.Run(SelectorLoops.NewEpoll(), main, limitSeconds);

    /// <inheritdoc cref="Run{T}"/>
    public static void Run(Func<Coroutine> main, double limitSeconds = 60) => SelectorLoops.Run(SelectorLoops.NewEpoll(), main, limitSeconds);

    public static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>A number no other test uses, to find our own children by their command line.</summary>
    public static string UniqueSleepSeconds() => $"300.{Random.Shared.Next(100_000, 999_999)}";

    /// <summary>
    /// Waits (at most 10 s) until <paramref name="expected"/> children run with <paramref name="argument"/>, and returns
    /// how many do: a child just spawned shows its new command line only once it has exec'd, which a loaded machine
    /// may delay past the await that started it.
    /// </summary>
    public static int WaitForChildrenWith(string argument, int expected)
    {
        var clock = Stopwatch.StartNew();
        int count;
        while ((count = CountChildrenWith(argument)) < expected && clock.Elapsed < TimeSpan.FromSeconds(10)) Thread.Sleep(20);
        return count;
    }

    /// <summary>How many children of this process run with <paramref name="argument"/> on their command line (zombies not counted).</summary>
    public static int CountChildrenWith(string argument)
    {
        int count = 0;
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                if (ParentOf(pid) != Environment.ProcessId || IsDead(pid)) continue;
                string[] cmdline = File.ReadAllText($"{dir}/cmdline").Split('\0');
                if (cmdline.Contains(argument)) count++;
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }
        return count;
    }

    /// <summary>True once <paramref name="pid"/> no longer runs: gone, or a zombie nobody reaped.</summary>
    public static bool IsDead(int pid)
    {
        try
        {
            return StatField(pid, 0) is "Z" or "X";
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static int ParentOf(int pid) => int.Parse(StatField(pid, 1), CultureInfo.InvariantCulture);

    /// <summary>A field of /proc/pid/stat after the command name (0: the state, 1: the parent's pid).</summary>
    private static string StatField(int pid, int index)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[index];
    }

    /// <summary>Polls <paramref name="condition"/> for up to <paramref name="seconds"/> of real time.</summary>
    public static bool Eventually(Func<bool> condition, double seconds = 10)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(20);
        }
        return true;
    }

    [DllImport("libc", SetLastError = true)]
    public static extern int kill(int pid, int signal);
}
