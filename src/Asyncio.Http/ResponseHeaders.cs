using System.Collections;
using System.Net.Http.Headers;

namespace Asyncio.Http;

/// <summary>
/// A response's headers, names compared case-insensitively, the content headers (<c>Content-Type</c>,
/// <c>Content-Length</c>, ...) included. The indexer gives a header's values joined by <c>", "</c>;
/// <see cref="GetAll"/> gives them one by one (for <c>Set-Cookie</c>).
/// <para>aiohttp: <c>ClientResponse.headers</c>, a <c>CIMultiDictProxy</c>.</para>
/// </summary>
public sealed class ResponseHeaders : IReadOnlyDictionary<string, string>
{
    private readonly HttpResponseMessage _message;

    /// <summary>Each header's values in the order received, keyed case-insensitively; made when first asked for.</summary>
    private Dictionary<string, List<string>>? _values;

    internal ResponseHeaders(HttpResponseMessage message) => _message = message;

    /// <summary>The headers, copied from the message the first time they are read (most responses' never are).</summary>
    private Dictionary<string, List<string>> All => _values ??= Copy(_message);

    private static Dictionary<string, List<string>> Copy(HttpResponseMessage message)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        Add(values, message.Headers);
        Add(values, message.Content.Headers);
        return values;
    }

    private static void Add(Dictionary<string, List<string>> all, HttpHeaders headers)
    {
        foreach (var (name, values) in headers.NonValidated)
        {
            if (!all.TryGetValue(name, out List<string>? list)) all[name] = list = [];
            foreach (string value in values) list.Add(value);
        }
    }

    /// <summary>The values of <paramref name="name"/> joined by <c>", "</c>.</summary>
    /// <exception cref="KeyNotFoundException">The response has no such header.</exception>
    public string this[string name] => TryGetValue(name, out string? value)
        ? value
        : throw new KeyNotFoundException($"The response has no header '{name}'.");

    /// <summary>Every value of <paramref name="name"/>, in order; empty if it is absent. <para>aiohttp: <c>headers.getall(name, [])</c>.</para></summary>
    public IReadOnlyList<string> GetAll(string name) =>
        All.TryGetValue(name, out List<string>? list) ? list : [];

    /// <inheritdoc/>
    public bool TryGetValue(string key, out string value)
    {
        if (All.TryGetValue(key, out List<string>? list))
        {
            value = string.Join(", ", list);
            return true;
        }
        value = "";
        return false;
    }

    /// <inheritdoc/>
    public bool ContainsKey(string key) => All.ContainsKey(key);

    /// <inheritdoc/>
    public IEnumerable<string> Keys => All.Keys;

    /// <inheritdoc/>
    public IEnumerable<string> Values => All.Values.Select(list => string.Join(", ", list));

    /// <inheritdoc/>
    public int Count => All.Count;

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
        All.Select(pair => KeyValuePair.Create(pair.Key, string.Join(", ", pair.Value))).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
