using Asyncio.Greenlets;

namespace Asyncio.Cli.Demos;

/// <summary>
/// "greenlet: switching by hand": greenlet's documented example, two greenlets switching to each other, printing
/// 12, 56, 34 and never 78 (test2 is left suspended). Shown beside the Python it mirrors; docs/greenlets.md explains it.
/// </summary>
internal sealed class GreenletDemo : Demo
{
    private const string Python = """
        from greenlet import greenlet

        def test1():
            print(12)
            gr2.switch()
            print(34)

        def test2():
            print(56)
            gr1.switch()
            print(78)

        gr1 = greenlet(test1)
        gr2 = greenlet(test2)
        gr1.switch()
        """;

    private const string CSharp = """
        using Asyncio.Greenlets;

        async Coroutine<object?> Test1(object? _) {
            Console.WriteLine(12);
            await gr2.Switch();
            Console.WriteLine(34);
            return null;
        }
        async Coroutine<object?> Test2(object? _) {
            Console.WriteLine(56);
            await gr1.Switch();
            Console.WriteLine(78);
            return null;
        }
        gr1 = new Greenlet(Test1);
        gr2 = new Greenlet(Test2);
        await gr1.Switch();   // inside a task
        """;

    public override string Name => "greenlet";

    public override string Title => "greenlet: switching by hand";

    public override int Order => 930;

    public override void Run(TextWriter output)
    {
        SideBySide(output, Python, CSharp);
        output.WriteLine("# output (Python prints 12, 56, 34):");
        Aio.Run(Body(output));
    }

    private static async Coroutine Body(TextWriter output)
    {
        Greenlet? gr1 = null, gr2 = null;

        async Coroutine<object?> Test1(object? _)
        {
            output.WriteLine(12);
            await gr2!.Switch();
            output.WriteLine(34);
            return null;
        }

        async Coroutine<object?> Test2(object? _)
        {
            output.WriteLine(56);
            await gr1!.Switch();
            output.WriteLine(78);
            return null;
        }

        gr1 = new Greenlet(Test1);
        gr2 = new Greenlet(Test2);
        await gr1.Switch();
    }

    /// <summary>Prints <paramref name="python"/> and <paramref name="csharp"/> in two columns, Python on the left.</summary>
    internal static void SideBySide(TextWriter output, string python, string csharp)
    {
        string[] left = python.Split('\n'), right = csharp.Split('\n');
        int width = Math.Max(left.Max(l => l.Length), "# Python".Length) + 4;
        output.WriteLine("# Python".PadRight(width) + "# C#");
        for (int i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            string l = i < left.Length ? left[i] : "", r = i < right.Length ? right[i] : "";
            output.WriteLine((l.PadRight(width) + r).TrimEnd());
        }
        output.WriteLine();
    }
}
