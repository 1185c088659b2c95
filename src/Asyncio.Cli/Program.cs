using Asyncio.Cli.Demos;
using Asyncio.Cli.Echo;

namespace Asyncio.Cli;

/// <summary>The <c>aio</c> command: <c>aio demo [--list] [NAME...]</c> and <c>aio echo-server --port N</c>.</summary>
internal static class Program
{
    private const string Usage = """
        usage: aio demo [--list] [NAME ...]
               aio echo-server --port N [--protocol] [--host 127.0.0.1]
          aio demo            run every example of the asyncio cheat sheet
          aio demo --list     list the examples
          aio demo NAME ...   run the named examples
          aio echo-server     TCP echo server until Ctrl-C (streams API; --protocol: a Protocol subclass)
        """;

    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "echo-server") return EchoServerCommand.Run(args[1..], Console.Out, Console.Error);
        if (args.Length == 0 || args[0] != "demo")
        {
            Console.Error.WriteLine(Usage);
            return args.Length == 0 ? 0 : 2;
        }
        string[] rest = args[1..];
        if (rest.Contains("--list"))
        {
            foreach (Demo demo in Demo.All) Console.WriteLine($"{demo.Name,-28} {demo.Title}");
            return 0;
        }
        IEnumerable<Demo> chosen = Demo.All;
        if (rest.Length > 0)
        {
            var unknown = rest.Where(n => Demo.All.All(d => d.Name != n)).ToList();
            if (unknown.Count > 0)
            {
                Console.Error.WriteLine($"unknown demo: {string.Join(", ", unknown)} (see aio demo --list)");
                return 2;
            }
            chosen = rest.Select(n => Demo.All.First(d => d.Name == n));
        }
        foreach (Demo demo in chosen)
        {
            Console.WriteLine($"=== {demo.Title} ({demo.Name})");
            demo.Run(Console.Out);
            Console.WriteLine();
        }
        return 0;
    }
}
