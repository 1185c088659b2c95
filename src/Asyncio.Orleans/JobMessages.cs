using Orleans;

namespace Asyncio.Orleans;

/// <summary>
/// A job sent to a silo: the static method by assembly identity and metadata token, and its arguments as JSON, the
/// description a <see cref="ProcessPoolExecutor"/> sends its worker processes, with the assembly named instead of located.
/// </summary>
/// <param name="Assembly">The full name of the assembly that declares the method (name, version, culture, key).</param>
/// <param name="Build">The module version id of that assembly: the silo refuses another build of the same version, whose tokens may differ.</param>
/// <param name="Token">The method's metadata token in that assembly (exact, whatever its overloads).</param>
/// <param name="Method">The method's name with its type, for messages.</param>
/// <param name="Args">The arguments, one JSON text per parameter.</param>
/// <param name="JobId">The job's id, chosen by the executor: what <see cref="IAsyncioJobGrain.Drop"/> names to drop it.</param>
[GenerateSerializer, Immutable]
internal sealed record JobCall(
    [property: Id(0)] string Assembly,
    [property: Id(1)] Guid Build,
    [property: Id(2)] int Token,
    [property: Id(3)] string Method,
    [property: Id(4)] string[] Args,
    [property: Id(5)] Guid JobId);

/// <summary>What a silo sends back: the JSON result, or the job's exception as text; and which silo ran it.</summary>
/// <param name="Silo">The silo's name and endpoint, e.g. <c>silo-1 at 127.0.0.1:11111</c>.</param>
/// <param name="Result">The result as JSON (the text <c>null</c> for a method returning <c>void</c>); null when the job failed.</param>
/// <param name="ErrorType">The full type name of the job's exception; null when it succeeded.</param>
/// <param name="ErrorMessage">The exception's message.</param>
/// <param name="ErrorStack">The exception's stack trace on the silo.</param>
/// <param name="Seconds">How long the job ran on the silo.</param>
[GenerateSerializer, Immutable]
internal sealed record JobReply(
    [property: Id(0)] string Silo,
    [property: Id(1)] string? Result,
    [property: Id(2)] string? ErrorType,
    [property: Id(3)] string? ErrorMessage,
    [property: Id(4)] string? ErrorStack,
    [property: Id(5)] double Seconds);

/// <summary>A silo's answer to <see cref="IAsyncioJobGrain.Drop"/>.</summary>
/// <param name="Silo">The silo that answered, as <see cref="JobReply.Silo"/> names it.</param>
/// <param name="Held">True when the silo held the job (queued: now dropped; running: it runs to its end); false when it
/// did not (already finished, or not arrived yet: it will be dropped on arrival).</param>
[GenerateSerializer, Immutable]
internal sealed record JobDropReply(
    [property: Id(0)] string Silo,
    [property: Id(1)] bool Held);
