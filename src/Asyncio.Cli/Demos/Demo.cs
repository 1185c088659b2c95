using System.Reflection;

namespace Asyncio.Cli.Demos;

/// <summary>
/// One example of the cheat sheet, runnable with <c>aio demo NAME</c>. Each demo is a class of its own in
/// this folder; the list is found by reflection, in <see cref="Order"/>.
/// </summary>
internal abstract class Demo
{
    /// <summary>The name typed after <c>aio demo</c> (kebab-case).</summary>
    public abstract string Name { get; }

    /// <summary>The cheat sheet's heading for the example.</summary>
    public abstract string Title { get; }

    /// <summary>Where the demo appears in <c>aio demo --list</c> and a full run.</summary>
    public abstract int Order { get; }

    /// <summary>Runs the example, printing what the Python prints (plus timings).</summary>
    public abstract void Run(TextWriter output);

    /// <summary>Every demo in this assembly, in order.</summary>
    public static IReadOnlyList<Demo> All { get; } = typeof(Demo).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Demo)) && !t.IsAbstract)
        .Select(t => (Demo)Activator.CreateInstance(t, nonPublic: true)!)
        .OrderBy(d => d.Order)
        .ToList();
}
