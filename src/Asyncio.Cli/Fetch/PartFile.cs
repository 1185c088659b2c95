using System.Text.Json;
using System.Text.Json.Nodes;

namespace Asyncio.Cli.Fetch;

/// <summary>
/// A download in progress: the bytes so far in <c>NAME.part</c>, and beside it <c>NAME.part.json</c>, a small
/// sidecar saying which URL they came from and the validator (ETag or Last-Modified) that lets the next run ask for
/// the rest with <c>Range</c> + <c>If-Range</c>. Only a complete, verified file is renamed to <c>NAME</c>.
/// </summary>
/// <remarks>
/// The sidecar is written (to a temporary file, flushed to disk, then renamed over) before any byte of the body goes
/// to the <c>.part</c>, so a <c>.part</c> never lies about where its bytes came from. A <c>.part</c> without a
/// usable validator is never resumed: without <c>If-Range</c> a changed file on the server would be spliced onto the
/// old bytes.
/// </remarks>
internal sealed class PartFile
{
    /// <summary>The suffix of the file holding the bytes so far.</summary>
    public const string PartSuffix = ".part";

    /// <summary>The suffix of the sidecar.</summary>
    public const string SidecarSuffix = ".part.json";

    private PartFile(string directory, string name, Uri url, string? validator)
    {
        Directory = directory;
        Name = name;
        Url = url;
        Validator = validator;
    }

    /// <summary>The output directory.</summary>
    public string Directory { get; }

    /// <summary>The final name (the file is <c>Name.part</c> until complete).</summary>
    public string Name { get; }

    /// <summary>The URL the bytes come from.</summary>
    public Uri Url { get; }

    /// <summary>The strong ETag or Last-Modified date for <c>If-Range</c>; null when the server gave neither.</summary>
    public string? Validator { get; private set; }

    /// <summary>The path of the bytes so far.</summary>
    public string PartPath => FileNames.PathIn(Directory, Name + PartSuffix);

    /// <summary>The path of the sidecar.</summary>
    public string SidecarPath => FileNames.PathIn(Directory, Name + SidecarSuffix);

    /// <summary>The bytes on disk so far.</summary>
    public long Length => File.Exists(PartPath) ? new FileInfo(PartPath).Length : 0;

    /// <summary>The request for the rest, or null when this part cannot be resumed (no validator, or empty).</summary>
    public ResumeRequest? ResumeRequest => Validator is not null && Length > 0 ? new ResumeRequest(Length, Validator) : null;

    /// <summary>The part a previous run left for <paramref name="url"/> in <paramref name="directory"/>, if any.</summary>
    public static PartFile? FindFor(string directory, Uri url)
    {
        if (!System.IO.Directory.Exists(directory)) return null;
        foreach (string sidecar in System.IO.Directory.EnumerateFiles(directory, "*" + SidecarSuffix))
        {
            PartFile? part = TryRead(directory, sidecar);
            if (part is not null && part.Url == url && File.Exists(part.PartPath)) return part;
        }
        return null;
    }

    /// <summary>Starts a new part for <paramref name="name"/>: the sidecar, then an empty <c>.part</c>.</summary>
    public static PartFile Create(string directory, string name, Uri url, string? validator)
    {
        var part = new PartFile(directory, name, url, validator);
        part.Restart(validator);
        return part;
    }

    /// <summary>Empties the part for a fresh start (the server sent the whole file), recording the new validator.</summary>
    public void Restart(string? validator)
    {
        Validator = validator;
        WriteSidecar();
        using (new FileStream(PartPath, FileMode.Create, FileAccess.Write)) { }
    }

    /// <summary>Opens the part for appending.</summary>
    public FileStream OpenForAppend() =>
        new(PartPath, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous);

    /// <summary>Deletes the part and its sidecar (the bytes are useless: wrong digest, too large).</summary>
    public void Discard()
    {
        File.Delete(PartPath);
        File.Delete(SidecarPath);
    }

    /// <summary>
    /// Renames the complete part to <paramref name="finalName"/> (never over an existing file) and removes the sidecar.
    /// </summary>
    /// <returns>The final path.</returns>
    /// <exception cref="IOException">A file of that name appeared meanwhile.</exception>
    public string Commit(string finalName)
    {
        string finalPath = FileNames.PathIn(Directory, finalName);
        File.Move(PartPath, finalPath, overwrite: false);
        File.Delete(SidecarPath);
        return finalPath;
    }

    private void WriteSidecar()
    {
        var json = new JsonObject { ["url"] = Url.AbsoluteUri, ["name"] = Name, ["validator"] = Validator };
        string temporary = SidecarPath + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        {
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(json));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, SidecarPath, overwrite: true);
    }

    private static PartFile? TryRead(string directory, string sidecarPath)
    {
        try
        {
            JsonNode? json = JsonNode.Parse(File.ReadAllBytes(sidecarPath));
            string? url = json?["url"]?.GetValue<string>();
            string? name = json?["name"]?.GetValue<string>();
            // A sidecar edited by hand must not move the download elsewhere: its name must be a safe one.
            if (url is null || name is null || FileNames.Sanitise(name) != name) return null;
            if (Path.GetFileName(sidecarPath) != name + SidecarSuffix) return null;
            return new PartFile(directory, name, new Uri(url), json?["validator"]?.GetValue<string>());
        }
        catch (Exception error) when (error is JsonException or IOException or UriFormatException or InvalidOperationException)
        {
            return null;   // not ours, or damaged: the download starts afresh
        }
    }
}
