#!/usr/bin/env bash
# The consumer check: uses Asyncio.Net the way a user does, from its packages, not from the source tree.
#
#   1. packs the solution (every packable project, Release) into a fresh local feed in a temp folder;
#   2. creates a console app and an xunit project there, each with its own nuget.config: the local feed plus the
#      machine's usual sources, with package source mapping so that Asyncio.Net* comes ONLY from the local feed, and
#      a package cache of its own (NUGET_PACKAGES), so no copy cached by an earlier run can stand in;
#   3. references the packages by id at the exact version, builds with warnings as errors, runs a coroutine
#      (the app: Aio.Run + Aio.Gather; the test: a coroutine on a virtual-time loop);
#   4. installs the aio tool from the feed into a temp tool path and runs `aio --version` and `aio demo --list`.
#
# Prints "consumer check: PASS" or "consumer check: FAIL (step)" as its last line and exits non-zero on failure.
# Usage: eng/consumer-check.sh   (KEEP=1 keeps the temp folder and prints where it is)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/asyncio-consumer.XXXXXX")
feed=$work/feed
log=$work/log
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "consumer check: kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

fail() {
    echo "consumer check: $1 failed; its output:" >&2
    tail -n 40 "$log" >&2
    echo "consumer check: FAIL ($1)"
    exit 1
}
# step NAME COMMAND...: runs the command with its output in the log; fails the check when it fails.
step() {
    local name=$1; shift
    local start=$SECONDS
    "$@" >"$log" 2>&1 || fail "$name"
    echo "== $name: ok ($((SECONDS - start)) s)"
}

# The one version of every package (Directory.Build.props).
version=$(cd "$root" && dotnet msbuild src/Asyncio/Asyncio.csproj -getProperty:Version 2>/dev/null | tr -d '\r')
[ -n "$version" ] || { echo "consumer check: FAIL (cannot read the version)"; exit 1; }
echo "consumer check: Asyncio.Net $version in $work"

# 1. Pack every packable project of the solution (a Release build, incremental: after `dotnet build -c Release`, as
#    in .ci/run, it only packs).
step "dotnet pack" dotnet pack "$root/Asyncio.sln" -c Release -o "$feed" -nologo -v q
for id in Asyncio.Net Asyncio.Net.RateLimiting Asyncio.Net.Http Asyncio.Net.Cli; do
    [ -f "$feed/$id.$version.nupkg" ] || { echo "missing $id.$version.nupkg" >"$log"; fail "the package $id"; }
    [ -f "$feed/$id.$version.snupkg" ] || { echo "missing $id.$version.snupkg" >"$log"; fail "the symbols of $id"; }
done

# The consumers get a package cache of their own: every Asyncio.Net* package they restore is the one just packed
# (the pack above used the machine's cache, for the repository's own dependencies).
export NUGET_PACKAGES=$work/packages

# 2. The consumers' nuget.config: the feed for Asyncio.Net*, the machine's enabled sources for everything else.
sources=$(dotnet nuget list source --format short 2>/dev/null | awk '$1 == "E" { print $2 }')
[ -n "$sources" ] || sources=https://api.nuget.org/v3/index.json
{
    echo '<?xml version="1.0" encoding="utf-8"?>'
    echo '<configuration>'
    echo '  <packageSources>'
    echo '    <clear />'
    echo "    <add key=\"asyncio-local\" value=\"$feed\" />"
    n=0; for s in $sources; do n=$((n + 1)); echo "    <add key=\"upstream$n\" value=\"$s\" />"; done
    echo '  </packageSources>'
    echo '  <packageSourceMapping>'
    echo '    <packageSource key="asyncio-local"><package pattern="Asyncio.Net" /><package pattern="Asyncio.Net.*" /></packageSource>'
    n=0; for s in $sources; do n=$((n + 1)); echo "    <packageSource key=\"upstream$n\"><package pattern=\"*\" /></packageSource>"; done
    echo '  </packageSourceMapping>'
    echo '</configuration>'
} >"$work/nuget.config"
# Settings of the consumers' own (an empty Directory.Build.props stops MSBuild from looking further up for one).
echo '<Project />' >"$work/Directory.Build.props"
echo '<Project />' >"$work/Directory.Build.targets"

# project DIR PROPERTIES PACKAGE...: a fresh project file (net10.0, nullable, warnings as errors) in DIR, with the
# extra PROPERTIES and a reference to each PACKAGE ("Id" for Asyncio.Net*, at exactly $version; "Id@Version" otherwise).
project() {
    local dir=$1 properties=$2 package; shift 2
    mkdir -p "$dir"
    {
        echo '<Project Sdk="Microsoft.NET.Sdk">'
        echo '  <PropertyGroup>'
        echo '    <TargetFramework>net10.0</TargetFramework>'
        echo '    <Nullable>enable</Nullable>'
        echo '    <ImplicitUsings>enable</ImplicitUsings>'
        echo '    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>'
        echo "    $properties"
        echo '  </PropertyGroup>'
        echo '  <ItemGroup>'
        for package in "$@"; do
            case $package in
                *@*) echo "    <PackageReference Include=\"${package%@*}\" Version=\"${package#*@}\" />" ;;
                *) echo "    <PackageReference Include=\"$package\" Version=\"[$version]\" />" ;;
            esac
        done
        echo '  </ItemGroup>'
        echo '</Project>'
    } >"$dir/$(basename "$dir").csproj"
}

# 3a. A console app: Aio.Run + Aio.Gather, and a use of each library package.
project "$work/app" '<OutputType>Exe</OutputType>' Asyncio.Net Asyncio.Net.RateLimiting Asyncio.Net.Http
cat >"$work/app/Program.cs" <<'EOF'
using Asyncio;
using Asyncio.Http;
using Asyncio.RateLimiting;

int total = Aio.Run(SumOfSquares());
Console.WriteLine($"sum of squares: {total}");
return total == 29 ? 0 : 1;

static async Coroutine<int> Square(int x)
{
    await Aio.Sleep(0.01);
    return x * x;
}

static async Coroutine<int> SumOfSquares()
{
    await using var session = new ClientSession();                         // Asyncio.Net.Http
    using var limiter = new AsyncLimiterRateLimiter(new AsyncLimiter(10, 1), Aio.GetRunningLoop());   // Asyncio.Net.RateLimiting
    int[] squares = await Aio.Gather(Square(2), Square(3), Square(4));
    return squares.Sum();
}
EOF
step "console app: build" dotnet build "$work/app" -c Release -nologo -v q
for id in asyncio.net asyncio.net.ratelimiting asyncio.net.http; do
    [ -d "$NUGET_PACKAGES/$id/$version" ] || { echo "$id $version was not restored from the local feed" >"$log"; fail "restore of $id"; }
done
step "console app: run" dotnet "$work/app/bin/Release/net10.0/app.dll"
grep -qx "sum of squares: 29" "$log" || fail "console app: its output"
cat "$log"

# 3b. An xunit project: a coroutine on a virtual-time loop.
project "$work/tests" '<IsPackable>false</IsPackable>' \
    Microsoft.NET.Test.Sdk@18.0.1 xunit@2.9.3 xunit.runner.visualstudio@3.1.5 Asyncio.Net
cat >"$work/tests/VirtualTimeTests.cs" <<'EOF'
using Asyncio;
using Xunit;

public class VirtualTimeTests
{
    private static async Coroutine<string> SleepAnHour()
    {
        await Aio.Sleep(3600);
        return "woke";
    }

    [Fact]
    public void AnHourOfSleep_OnAVirtualTimeLoop_EndsAtOnce()
    {
        EventLoop loop = Aio.NewEventLoop(virtualTime: true);
        try
        {
            double start = loop.Time();
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal("woke", loop.RunUntilComplete(SleepAnHour()));
            Assert.Equal(3600, loop.Time() - start, precision: 3);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30));
        }
        finally
        {
            loop.Close();
        }
    }
}
EOF
step "xunit project: dotnet test" dotnet test "$work/tests" -nologo -v q
grep -q "Passed!" "$log" || fail "xunit project: no test passed"
grep "Passed!" "$log"

# 4. The tool, from the feed.
step "dotnet tool install" dotnet tool install Asyncio.Net.Cli --version "$version" --tool-path "$work/tools" \
    --configfile "$work/nuget.config"
step "aio --version" "$work/tools/aio" --version
[ "$(tr -d '\r\n' <"$log")" = "$version" ] || fail "aio --version: printed '$(cat "$log")', not $version"
step "aio demo --list" "$work/tools/aio" demo --list
[ -s "$log" ] || fail "aio demo --list: no demo listed"
if grep -q $'\e' "$log"; then fail "aio demo --list: escape codes in redirected output"; fi
echo "$(wc -l <"$log") demos listed"

echo "consumer check: PASS"
