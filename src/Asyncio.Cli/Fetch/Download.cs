using System.Globalization;
using System.Security.Cryptography;
using Asyncio.Http;

namespace Asyncio.Cli.Fetch;

/// <summary>
/// One URL's download, with its retries: ask (resuming a <c>.part</c> when there is one), write the body to the
/// <c>.part</c>, flush it to disk, verify size and digest, rename. See docs/fetch.md for the rules.
/// </summary>
/// <remarks>
/// Runs as a task of the run's task group. Cancellation (Ctrl-C) propagates as <see cref="CancelledError"/> from
/// whatever await it reaches; the <c>.part</c> and its sidecar stay for the next run. Every other failure becomes a
/// <see cref="FetchStatus.Failed"/> result: one download never stops the others.
/// </remarks>
internal sealed class Download
{
    /// <summary>The chunk read from the body and written to the file.</summary>
    private const int ChunkSize = 64 * 1024;

    /// <summary>What the run shares.</summary>
    private readonly FetchRun _run;

    /// <summary>The URL's position in the list (for the progress display).</summary>
    private readonly int _index;

    /// <summary>The URL.</summary>
    private readonly Uri _url;

    /// <summary>The <c>.part</c> being written, once known (found at the start, or created on the first 200).</summary>
    private PartFile? _part;

    /// <summary>Requests made so far.</summary>
    private int _attempts;

    /// <summary>True once bytes were appended to a <c>.part</c> that had some.</summary>
    private bool _resumed;

    /// <summary>Creates the download of <paramref name="url"/>.</summary>
    public Download(FetchRun run, int index, Uri url)
    {
        _run = run;
        _index = index;
        _url = url;
    }

    private FetchOptions Options => _run.Options;

    /// <summary>Downloads, retrying transient failures; returns the outcome (never throws but to cancel).</summary>
    public async Coroutine<FetchResult> RunAsync()
    {
        FetchResult result;
        try
        {
            _part = PartFile.FindFor(Options.OutDir, _url);
            if (_part is not null && !_run.Names.TryClaim(_part.Name)) _part = null;   // the same URL twice in the list
            result = await WithRetries();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            result = Failed(error.Message);   // the disk: full, read-only, a directory in the way
        }
        finally
        {
            if (_part is not null) _run.Names.Release(_part.Name);
        }
        _run.Progress.Ended(_index, result);
        return result;
    }

    private async Coroutine<FetchResult> WithRetries()
    {
        while (true)
        {
            _attempts++;
            Attempt attempt = await AttemptOnce();
            if (attempt.Final is { } final) return final;
            if (_attempts > Options.Retries)
            {
                return Failed($"{attempt.RetryReason} (gave up after {_attempts} attempt{(_attempts == 1 ? "" : "s")})");
            }
            if (attempt.RetryAtOnce) continue;
            double delay = _run.Retry.Delay(_attempts, attempt.RetryAfter, Random.Shared.NextDouble());
            await Aio.Sleep(delay);
        }
    }

    /// <summary>One request and, if it answers with a body to keep, the body.</summary>
    private async Coroutine<Attempt> AttemptOnce()
    {
        if (_run.Limiter is not null) await _run.Limiter.AcquireAsync();
        ResumeRequest? resume = _part?.ResumeRequest;
        HttpAnswer answer;
        try
        {
            answer = await Aio.Timeout(Options.TimeoutSeconds, async () => await _run.Source.GetAsync(_url, resume));
        }
        catch (TooManyRedirects error)   // an HttpRequestException, but retrying would loop again
        {
            return Attempt.Done(Failed($"too many redirects ({error.History.Count}, a redirect loop?): {Describe(error)}"));
        }
        catch (HttpRequestException error) when (error.HttpRequestError != HttpRequestError.SecureConnectionError)
        {
            return Attempt.Retry($"connection failed: {Describe(error)}");
        }
        catch (HttpRequestException error)
        {
            return Attempt.Done(Failed(Describe(error)));
        }
        catch (TimeoutException)
        {
            return Attempt.Retry($"no answer within {Seconds(Options.TimeoutSeconds)}");
        }
        using (answer)
        {
            return await Answered(answer, resume);
        }
    }

    /// <summary>Decides what an answer means for the file, then takes its body when it should.</summary>
    private async Coroutine<Attempt> Answered(HttpAnswer answer, ResumeRequest? resume)
    {
        switch (answer.Status)
        {
            case 416 when resume is not null && _part is not null:
                // Nothing after our last byte: the .part is complete if the server's length says so.
                if (answer.ContentRangeTotal == resume.From) return Attempt.Done(await Finish(_part));
                _part.Restart(validator: null);
                return Attempt.RetryNow("the server refused the range of the partial file: starting over");
            case 206 when resume is not null && _part is not null && answer.ContentRangeFrom == resume.From:
                _resumed = true;
                return await Receive(answer, _part, answer.ContentRangeTotal);
            case 206:
                _part?.Restart(validator: null);
                return Attempt.RetryNow("unexpected partial content: starting over");
            case 200 when _part is not null:
                // A 200 to a Range + If-Range: the file changed, or the server ignores ranges. Either way the whole
                // file is coming: start the .part afresh.
                _part.Restart(Validator(answer));
                _resumed = false;
                return await Receive(answer, _part, answer.ContentLength);
            case 200:
                return await Fresh(answer);
            case int status when RetryPolicy.IsTransient(status):
                return Attempt.Retry($"HTTP {status} {answer.Reason}", answer.RetryAfter);
            default:
                return Attempt.Done(Failed($"HTTP {answer.Status} {answer.Reason}"));
        }
    }

    /// <summary>A first 200 for this URL: choose the name, skip an existing verified file, start the <c>.part</c>.</summary>
    private async Coroutine<Attempt> Fresh(HttpAnswer answer)
    {
        string name = FileNames.Choose(answer.ContentDisposition, _url);
        if (Options.Manifest is not null && ExpectedDigest(name) is null)
        {
            return Attempt.Done(Failed($"{name} is not in the manifest"));
        }
        string existing = FileNames.PathIn(Options.OutDir, name);
        if (File.Exists(existing) && !_run.Names.WrittenFromAnother(name, _url)
            && await IsAlreadyHere(existing, name, answer.ContentLength) is { } digest)
        {
            return Attempt.Done(new FetchResult(_url, FetchStatus.Skipped, existing, new FileInfo(existing).Length,
                digest.Length == 0 ? null : digest, Resumed: false, _attempts, Error: null));
        }
        if (answer.ContentLength > Options.MaxSize) return Attempt.Done(TooLarge(answer.ContentLength.Value));
        _part = PartFile.Create(Options.OutDir, _run.Names.ClaimFree(name), _url, Validator(answer));
        return await Receive(answer, _part, answer.ContentLength);
    }

    /// <summary>
    /// Whether an existing file is the one being downloaded: its digest matches the expected one, or (with no digest
    /// to check) its size is the <c>Content-Length</c>. Returns its digest ("" when not computed), or null if not.
    /// </summary>
    private async Coroutine<string?> IsAlreadyHere(string path, string name, long? contentLength)
    {
        if (ExpectedDigest(name) is { } expected)
        {
            string actual = await Sha256Of(path);
            return actual == expected ? actual : null;
        }
        return contentLength is { } length && new FileInfo(path).Length == length ? "" : null;
    }

    /// <summary>Appends the body to <paramref name="part"/>, then finishes; a broken connection keeps what arrived.</summary>
    private async Coroutine<Attempt> Receive(HttpAnswer answer, PartFile part, long? total)
    {
        long have = part.Length;
        if (total > Options.MaxSize) return Attempt.Done(TooLarge(total.Value, part));
        _run.Progress.Started(_index, part.Name, total, have);
        await using (FileStream file = part.OpenForAppend())
        {
            while (true)
            {
                byte[] chunk;
                try
                {
                    chunk = await Aio.Timeout(Options.TimeoutSeconds, async () => await answer.ReadChunkAsync(ChunkSize));
                }
                catch (IOException error)
                {
                    return Attempt.Retry($"connection lost after {have} bytes: {Describe(error)}");
                }
                catch (TimeoutException)
                {
                    return Attempt.Retry($"no data for {Seconds(Options.TimeoutSeconds)} after {have} bytes");
                }
                if (chunk.Length == 0) break;
                if (have + chunk.Length > Options.MaxSize) return Attempt.Done(TooLarge(have + chunk.Length, part));
                await file.WriteAsync(chunk, Aio.CurrentTask()!.CancellationToken);
                have += chunk.Length;
                _run.Progress.Advanced(_index, chunk.Length);
            }
            // On disk before the rename: after a crash a final name never holds less than the whole file.
            await Aio.ToThread(() => file.Flush(flushToDisk: true));
        }
        if (total is { } expected && have != expected)
        {
            return Attempt.Retry($"the body ended after {have} of {expected} bytes");
        }
        return Attempt.Done(await Finish(part));
    }

    /// <summary>Verifies the complete <c>.part</c> (digest, when one is expected) and renames it.</summary>
    private async Coroutine<FetchResult> Finish(PartFile part)
    {
        string digest = await Sha256Of(part.PartPath);
        long length = part.Length;
        if (ExpectedDigest(part.Name) is { } expected && digest != expected)
        {
            part.Discard();
            return Failed($"sha256 mismatch: expected {expected}, got {digest}");
        }
        // A file of that name may have appeared since the name was chosen (another program): never overwrite it.
        string finalName = File.Exists(FileNames.PathIn(Options.OutDir, part.Name)) ? _run.Names.ClaimFree(part.Name) : part.Name;
        string path = part.Commit(finalName);
        _run.Names.Written(finalName, _url);
        if (finalName != part.Name) _run.Names.Release(finalName);
        return new FetchResult(_url, FetchStatus.Downloaded, path, length, digest, _resumed, _attempts, Error: null);
    }

    /// <summary>The digest the file must have: <c>--sha256</c>, or the manifest's entry for its name.</summary>
    private string? ExpectedDigest(string name)
    {
        if (Options.Sha256 is { } sha) return sha;
        if (Options.Manifest is not { } manifest) return null;
        if (manifest.TryGetValue(name, out string? byName)) return byName;
        return manifest.TryGetValue(FileNames.Choose(null, _url), out string? byUrl) ? byUrl : null;
    }

    private FetchResult TooLarge(long size, PartFile? part = null)
    {
        part?.Discard();
        return Failed($"larger than --max-size: {size} > {Options.MaxSize} bytes");
    }

    private FetchResult Failed(string error)
    {
        string? kept = _part is not null && File.Exists(_part.PartPath) ? _part.PartPath : null;
        return new FetchResult(_url, FetchStatus.Failed, kept, _part?.Length ?? 0, null, _resumed, _attempts, error);
    }

    /// <summary>The validator a later <c>If-Range</c> may use: a strong ETag, else Last-Modified, else none.</summary>
    private static string? Validator(HttpAnswer answer) =>
        answer.ETag is { IsWeak: false } tag ? tag.Value : answer.LastModified;

    private static Coroutine<string> Sha256Of(string path) => Aio.ToThread(() =>
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    });

    /// <summary>The message and its causes' ("An error occurred while sending the request" says little alone).</summary>
    private static string Describe(Exception error)
    {
        var messages = new List<string>();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            if (!messages.Contains(e.Message)) messages.Add(e.Message);
        }
        return string.Join(": ", messages);
    }

    private static string Seconds(double seconds) => seconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    /// <summary>What one request came to: a final result, or a reason to try again.</summary>
    private sealed record Attempt(FetchResult? Final, string? RetryReason, TimeSpan? RetryAfter, bool RetryAtOnce)
    {
        public static Attempt Done(FetchResult result) => new(result, null, null, false);

        public static Attempt Retry(string reason, TimeSpan? retryAfter = null) => new(null, reason, retryAfter, false);

        /// <summary>Start over without waiting (the server's answer, not a fault, made the .part useless).</summary>
        public static Attempt RetryNow(string reason) => new(null, reason, null, true);
    }
}
