using System.Net;
using System.Text;
using Asyncio.Greenlets;

namespace Asyncio.Cli.Demos;

/// <summary>
/// "gevent: a crawler of spawned greenlets": a loopback server whose pages take a while, and one spawned greenlet
/// per page fetching it under a <c>Gevent.Timeout</c>; <c>Gevent.JoinAll</c> waits for them, and the slow page's
/// greenlet fails with the timeout (reported by the loop's exception handler, as gevent's hub prints it). No
/// monkey-patching: the streams are the cooperative calls. Shown beside the Python it mirrors.
/// </summary>
internal sealed class GeventDemo : Demo
{
    private const string Python = """
        import gevent
        from gevent import socket
        from gevent.server import StreamServer

        PAGES = {"/": 0.3, "/about": 0.1,
                 "/blog": 0.2, "/slow": 1.5}

        def handle(conn, address):
            path = conn.makefile().readline().strip()
            gevent.sleep(PAGES[path])
            conn.sendall(f"<page {path}>\n".encode())
            conn.close()

        def fetch(path):
            with gevent.Timeout(1):
                conn = socket.create_connection(
                    server.address)
                conn.sendall(path.encode() + b"\n")
                page = conn.makefile().readline().strip()
                print("fetched", path)
                return page

        server = StreamServer(("127.0.0.1", 0), handle)
        server.start()
        jobs = [gevent.spawn(fetch, path)
                for path in PAGES]
        gevent.joinall(jobs, timeout=2)
        for path, job in zip(PAGES, jobs):
            print(path, "->", job.value if job.successful()
                  else repr(job.exception))
        """;

    private const string CSharp = """
        using Asyncio.Greenlets;

        var Pages = new Dictionary<string, double> {
            ["/"] = 0.3, ["/about"] = 0.1,
            ["/blog"] = 0.2, ["/slow"] = 1.5 };

        async Coroutine Handle(AsyncStreamReader r, AsyncStreamWriter w) {
            string path = Line(await r.ReadLineAsync());
            await Gevent.Sleep(Pages[path]);
            w.Write(Bytes($"<page {path}>\n"));
            w.Close();
        }

        async Coroutine<object?> Fetch(object? path) =>
            await Gevent.Timeout(1, async () => {
                var (r, w) = await Aio.OpenConnection(
                    "127.0.0.1", port);
                w.Write(Bytes($"{path}\n"));
                string page = Line(await r.ReadLineAsync());
                Console.WriteLine($"fetched {path}");
                return page;
            });

        var server = await Aio.StartServer(Handle, "127.0.0.1", 0);
        // port = the server's port
        var jobs = Pages.Keys.Select(p => Gevent.Spawn(Fetch, p))
                             .ToList();
        await Gevent.JoinAll(jobs, timeout: 2);
        foreach (var (path, job) in Pages.Keys.Zip(jobs))
            Console.WriteLine($"{path} -> " + (job.IsSuccessful
                ? job.Value : job.Exception!.GetType().Name));
        """;

    /// <summary>Each page and how long the server takes to send it.</summary>
    private static readonly Dictionary<string, double> s_pages = new()
    {
        ["/"] = 0.3,
        ["/about"] = 0.1,
        ["/blog"] = 0.2,
        ["/slow"] = 1.5,
    };

    public override string Name => "gevent";

    public override string Title => "gevent: a crawler of spawned greenlets";

    public override int Order => 940;

    public override void Run(TextWriter output)
    {
        GreenletDemo.SideBySide(output, Python, CSharp);
        output.WriteLine("# output (Python: fetched /about, /blog, /; the slow page times out after 1 s):");
        Aio.Run(Body(output));
    }

    private static string Line(byte[] line) => Encoding.UTF8.GetString(line).Trim();

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static async Coroutine Handle(AsyncStreamReader reader, AsyncStreamWriter writer)
    {
        string path = Line(await reader.ReadLineAsync());
        await Gevent.Sleep(s_pages[path]);
        writer.Write(Bytes($"<page {path}>\n"));
        writer.Close();
    }

    private static async Coroutine Body(TextWriter output)
    {
        await using Server server = await Aio.StartServer(Handle, "127.0.0.1", 0);
        int port = ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;

        async Coroutine<object?> Fetch(object? path) => await Gevent.Timeout(1, async () =>
        {
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", port);
            try
            {
                writer.Write(Bytes($"{path}\n"));
                string page = Line(await reader.ReadLineAsync());
                output.WriteLine($"fetched {path}");
                return page;
            }
            finally
            {
                writer.Close();
            }
        });

        var jobs = s_pages.Keys.Select(path => Gevent.Spawn(Fetch, path)).ToList();
        await Gevent.JoinAll(jobs, timeout: 2);
        foreach (var (path, job) in s_pages.Keys.Zip(jobs))
        {
            output.WriteLine($"{path} -> " + (job.IsSuccessful ? job.Value : $"{job.Exception!.GetType().Name}: {job.Exception.Message}"));
        }
        server.Close();
        await server.WaitClosedAsync();
    }
}
