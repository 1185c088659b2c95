using System.Text.Json;
using Asyncio.Cli.Commands;
using Spectre.Console;

namespace Asyncio.Cli.Fetch;

/// <summary>The end of a run: the <c>--json</c> report, or the summary table (plain lines when not on a terminal).</summary>
internal static class FetchReport
{
    /// <summary>
    /// Writes the JSON report: <c>{"downloaded": n, "skipped": n, "failed": n, "files": [{"url", "status", "path",
    /// "bytes", "sha256", "resumed", "attempts", "error"}]}</c>, files in the order of the URLs.
    /// </summary>
    public static void WriteJson(IReadOnlyList<FetchResult> results, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("downloaded", Count(results, FetchStatus.Downloaded));
            json.WriteNumber("skipped", Count(results, FetchStatus.Skipped));
            json.WriteNumber("failed", Count(results, FetchStatus.Failed));
            json.WriteStartArray("files");
            foreach (FetchResult result in results)
            {
                json.WriteStartObject();
                json.WriteString("url", result.Url.AbsoluteUri);
                json.WriteString("status", StatusName(result.Status));
                json.WriteString("path", result.Path);
                json.WriteNumber("bytes", result.Bytes);
                json.WriteString("sha256", result.Sha256);
                json.WriteBoolean("resumed", result.Resumed);
                json.WriteNumber("attempts", result.Attempts);
                json.WriteString("error", result.Error);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>Writes the summary: a table on a terminal, one tab-free line per URL otherwise, then the totals.</summary>
    public static void WriteSummary(IReadOnlyList<FetchResult> results, TextWriter output)
    {
        if (Terminal.IsTerminal(output))
        {
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("status").AddColumn(new TableColumn("size").RightAligned()).AddColumn("file").AddColumn("note");
            foreach (FetchResult result in results)
            {
                string colour = result.Status switch { FetchStatus.Downloaded => "green", FetchStatus.Skipped => "blue", _ => "red" };
                table.AddRow(
                    $"[{colour}]{StatusName(result.Status)}[/]",
                    OptionValues.FormatSize(result.Bytes),
                    Markup.Escape(result.Path is null ? result.Url.AbsoluteUri : Path.GetFileName(result.Path)),
                    Markup.Escape(Note(result)));
            }
            IAnsiConsole console = Terminal.For(output);
            console.Write(table);
            console.MarkupLine(Markup.Escape(Totals(results)));
            return;
        }
        foreach (FetchResult result in results)
        {
            string file = result.Path ?? result.Url.AbsoluteUri;
            string note = Note(result);
            output.WriteLine($"{StatusName(result.Status),-10} {OptionValues.FormatSize(result.Bytes),10}  {file}{(note.Length > 0 ? "  (" + note + ")" : "")}");
        }
        output.WriteLine(Totals(results));
    }

    /// <summary>The status as the report spells it.</summary>
    public static string StatusName(FetchStatus status) => status switch
    {
        FetchStatus.Downloaded => "downloaded",
        FetchStatus.Skipped => "skipped",
        _ => "failed",
    };

    /// <summary>"2 downloaded, 1 skipped, 0 failed".</summary>
    public static string Totals(IReadOnlyList<FetchResult> results) =>
        $"{Count(results, FetchStatus.Downloaded)} downloaded, {Count(results, FetchStatus.Skipped)} skipped, {Count(results, FetchStatus.Failed)} failed";

    private static string Note(FetchResult result) => result switch
    {
        { Error: { } error } => error + (result.Path is not null ? "; partial file kept" : ""),
        { Resumed: true } => "resumed",
        { Status: FetchStatus.Skipped } => "already here",
        { Attempts: > 1 } => $"after {result.Attempts} attempts",
        _ => "",
    };

    private static int Count(IReadOnlyList<FetchResult> results, FetchStatus status) => results.Count(r => r.Status == status);
}
