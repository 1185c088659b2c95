using System.Security.Cryptography.X509Certificates;

namespace Asyncio.Tests.Cli;

/// <summary>What every <c>aio fetch</c> test class needs: a local server and an empty output directory, both removed after each test.</summary>
public abstract class FetchSandbox : IAsyncLifetime
{
    /// <summary>Starts the server: HTTPS with <paramref name="certificate"/>, plain HTTP without.</summary>
    protected FetchSandbox(X509Certificate2? certificate = null) => Server = FetchTestServer.Start(certificate);

    /// <summary>The local server (Kestrel on loopback).</summary>
    internal FetchTestServer Server { get; }

    /// <summary>A fresh temporary directory for the downloads.</summary>
    protected string Dir { get; } = Directory.CreateTempSubdirectory("aio-fetch-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}
