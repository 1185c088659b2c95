using System.Globalization;
using System.Reflection;
using System.Text;

namespace Asyncio.Bench;

/// <summary>The runtimes a workload can be measured on.</summary>
public static class Runtimes
{
    /// <summary>This library.</summary>
    public const string Aio = "aio";

    /// <summary>Plain .NET: async Task on the thread pool.</summary>
    public const string ThreadPool = "tp";

    /// <summary>Plain .NET: async Task on a one-thread SynchronizationContext.</summary>
    public const string SingleThread = "st";
}

/// <summary>
/// Marks a static method <c>static Measurement M(BenchArgs args)</c> as the implementation of a workload
/// on one runtime. <c>dotnet run -c Release --project bench/Asyncio.Bench -- NAME --runtime RUNTIME</c> runs it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class WorkloadAttribute(string name, string runtime) : Attribute
{
    public string Name { get; } = name;
    public string Runtime { get; } = runtime;

    /// <summary>
    /// Comma-separated values of <c>--variant</c> the workload knows (e.g. <c>"flat,chained"</c>); null when it
    /// has none. <c>--list</c> prints them and <c>bench/run.py</c> measures each as its own row.
    /// </summary>
    public string? Variants { get; init; }
}

/// <summary>Options after the workload name: <c>--key value</c> pairs.</summary>
public sealed class BenchArgs(Dictionary<string, string> options)
{
    public int Int(string key, int fallback) =>
        options.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string key, double fallback) =>
        options.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public string String(string key, string fallback) => options.TryGetValue(key, out var v) ? v : fallback;
}

/// <summary>One measurement: the headline value with its unit, plus any other fields worth printing.</summary>
public sealed record Measurement(double Value, string Unit, IReadOnlyDictionary<string, object>? Extra = null)
{
    /// <summary>One JSON line, in the shape the CPython scripts in <c>bench/py</c> print.</summary>
    public string ToJson(string workload, string runtime)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"w\": \"{workload}\", \"runtime\": \"{runtime}\", \"value\": {Value.ToString("R", CultureInfo.InvariantCulture)}, \"unit\": \"{Unit}\"");
        if (Extra is not null)
        {
            foreach (var (k, v) in Extra)
            {
                string text = v switch
                {
                    string s => $"\"{s}\"",
                    double d => d.ToString("R", CultureInfo.InvariantCulture),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => $"\"{v}\"",
                };
                sb.Append(CultureInfo.InvariantCulture, $", \"{k}\": {text}");
            }
        }
        sb.Append('}');
        return sb.ToString();
    }
}

/// <summary>Finds the workload methods in this assembly.</summary>
public static class WorkloadRegistry
{
    private static readonly (WorkloadAttribute Attribute, MethodInfo Method)[] s_found =
        typeof(WorkloadRegistry).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .SelectMany(m => m.GetCustomAttributes<WorkloadAttribute>().Select(a => (a, m)))
            .ToArray();

    public static IReadOnlyDictionary<(string Name, string Runtime), MethodInfo> All { get; } =
        s_found.ToDictionary(p => (p.Attribute.Name, p.Attribute.Runtime), p => p.Method);

    /// <summary>The <see cref="WorkloadAttribute.Variants"/> declared for each (workload, runtime), when any.</summary>
    public static IReadOnlyDictionary<(string Name, string Runtime), string> Variants { get; } =
        s_found.Where(p => p.Attribute.Variants is not null)
            .ToDictionary(p => (p.Attribute.Name, p.Attribute.Runtime), p => p.Attribute.Variants!);
}
