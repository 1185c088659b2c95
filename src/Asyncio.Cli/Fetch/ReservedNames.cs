namespace Asyncio.Cli.Fetch;

/// <summary>
/// The final names claimed by the downloads of one run, so two URLs that suggest the same name get <c>x</c> and
/// <c>x (1)</c> instead of writing one <c>.part</c>. Used on the loop's thread only: no lock.
/// </summary>
/// <param name="directory">The output directory.</param>
internal sealed class ReservedNames(string directory)
{
    /// <summary>The names claimed by downloads in progress.</summary>
    private readonly HashSet<string> _claimed = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The files this run has written, with the URL each came from.</summary>
    private readonly Dictionary<string, Uri> _written = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Claims <paramref name="name"/>, or its first numbered alternative (<c>name (1).ext</c>, ...) that no download
    /// of this run holds and for which no file, <c>.part</c> or sidecar exists.
    /// </summary>
    public string ClaimFree(string name)
    {
        for (int n = 0; ; n++)
        {
            string candidate = n == 0 ? name : FileNames.Numbered(name, n);
            if (_claimed.Contains(candidate) || Exists(candidate) || Exists(candidate + PartFile.PartSuffix)
                || Exists(candidate + PartFile.SidecarSuffix))
            {
                continue;
            }
            _claimed.Add(candidate);
            return candidate;
        }
    }

    /// <summary>Claims <paramref name="name"/> as is (a <c>.part</c> being resumed); false if a download holds it.</summary>
    public bool TryClaim(string name) => _claimed.Add(name);

    /// <summary>Gives <paramref name="name"/> back.</summary>
    public void Release(string name) => _claimed.Remove(name);

    /// <summary>Records that this run wrote <paramref name="name"/>, downloaded from <paramref name="url"/>.</summary>
    public void Written(string name, Uri url) => _written[name] = url;

    /// <summary>
    /// True if this run wrote <paramref name="name"/> from another URL than <paramref name="url"/>: that file is not
    /// this URL's, whatever its size (two URLs suggesting one name, the second answering after the first finished).
    /// </summary>
    public bool WrittenFromAnother(string name, Uri url) => _written.TryGetValue(name, out Uri? from) && from != url;

    private bool Exists(string name) => File.Exists(FileNames.PathIn(directory, name));
}
