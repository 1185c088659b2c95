using Spectre.Console;

namespace Asyncio.Cli.Fetch;

/// <summary>
/// Spectre.Console's live progress for a run: a bar per active download and a total with rate and ETA. Spectre
/// redraws from a thread of its own; its tasks lock, so the loop thread updates them directly.
/// </summary>
internal sealed class LiveProgress : IFetchProgress
{
    /// <summary>Spectre's context, for adding bars.</summary>
    private readonly ProgressContext _context;

    /// <summary>The total's bar.</summary>
    private readonly ProgressTask _total;

    /// <summary>The URLs in the run.</summary>
    private readonly int _count;

    /// <summary>Each active download's bar and the length it announced (0 when unknown).</summary>
    private readonly Dictionary<int, (ProgressTask Bar, long Length)> _bars = [];

    /// <summary>Downloads ended.</summary>
    private int _ended;

    private LiveProgress(ProgressContext context, int count)
    {
        _context = context;
        _count = count;
        _total = context.AddTask(TotalDescription(), maxValue: 0);
        _total.IsIndeterminate = true;
    }

    /// <summary>Runs <paramref name="body"/> with the progress display on <paramref name="console"/>.</summary>
    public static T Run<T>(IAnsiConsole console, int count, Func<IFetchProgress, T> body) =>
        console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .Start(context => body(new LiveProgress(context, count)));

    /// <inheritdoc/>
    public void Started(int index, string name, long? total, long done)
    {
        if (_bars.Remove(index, out var previous))
        {
            // A restart: take the old bar's bytes and length out of the total.
            _total.MaxValue -= previous.Length;
            _total.Value -= previous.Bar.Value;
            previous.Bar.StopTask();
        }
        ProgressTask bar = _context.AddTask(Markup.Escape(Shorten(name)), maxValue: total ?? 1);
        bar.IsIndeterminate = total is null;
        bar.Value = done;
        _bars[index] = (bar, total ?? 0);
        _total.IsIndeterminate = false;
        _total.MaxValue += total ?? 0;
        _total.Value += done;
    }

    /// <inheritdoc/>
    public void Advanced(int index, long bytes)
    {
        if (_bars.TryGetValue(index, out var entry)) entry.Bar.Increment(bytes);
        _total.Increment(bytes);
    }

    /// <inheritdoc/>
    public void Ended(int index, FetchResult result)
    {
        if (_bars.Remove(index, out var entry))
        {
            if (result.Status != FetchStatus.Failed && entry.Bar.IsIndeterminate) entry.Bar.MaxValue = entry.Bar.Value;
            entry.Bar.StopTask();
        }
        _ended++;
        _total.Description = TotalDescription();
        if (_ended == _count)
        {
            _total.Value = _total.MaxValue;
            _total.StopTask();
        }
    }

    private string TotalDescription() => $"[bold]total[/] {_ended}/{_count} files";

    private static string Shorten(string name) => name.Length <= 40 ? name : name[..18] + "..." + name[^19..];
}
