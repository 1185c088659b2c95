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

    private bool Exists(string name) => File.Exists(FileNames.PathIn(directory, name));
}
