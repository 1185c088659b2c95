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
    /// <summary>Each header's values in the order received, keyed case-insensitively.</summary>
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.OrdinalIgnoreCase);

    internal ResponseHeaders(HttpResponseMessage message)
    {
        Add(message.Headers);
        Add(message.Content.Headers);
    }

    private void Add(HttpHeaders headers)
    {
        foreach (var (name, values) in headers.NonValidated)
        {
            if (!_values.TryGetValue(name, out List<string>? list)) _values[name] = list = [];
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
        _values.TryGetValue(name, out List<string>? list) ? list : [];

    /// <inheritdoc/>
    public bool TryGetValue(string key, out string value)
    {
        if (_values.TryGetValue(key, out List<string>? list))
        {
            value = string.Join(", ", list);
            return true;
        }
        value = "";
        return false;
    }

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc/>
    public IEnumerable<string> Values => _values.Values.Select(list => string.Join(", ", list));

    /// <inheritdoc/>
    public int Count => _values.Count;

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() =>
        _values.Select(pair => KeyValuePair.Create(pair.Key, string.Join(", ", pair.Value))).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
