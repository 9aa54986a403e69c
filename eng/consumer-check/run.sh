#!/usr/bin/env bash
# Proves the packages as a user meets them: packs src/, checks each nuspec, then builds and runs this consumer app
# from the packed packages (not project references), pinned to the dependency floors, against a throwaway PostgreSQL.
# Fails on any error. Run by .ci/run; runs alone too: bash eng/consumer-check/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
artifacts="$here/artifacts"
packages="$artifacts/packages"
store=QuotaKit.PostgreSql   # the PostgreSQL store package's id (ConsumerCheck.csproj references it too)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Its own package cache (NuGet.config says the same; this wins over a NUGET_PACKAGES set outside): never a stale QuotaKit.
export NUGET_PACKAGES="$artifacts/nuget-cache"
rm -rf "$artifacts" "$here/bin" "$here/obj"
mkdir -p "$packages"

echo "== Packing src/ =="
for project in "$root"/src/*/*.csproj; do
  dotnet pack "$project" -c Release -o "$packages" -v quiet -nologo
done
version="$(dotnet msbuild "$root/src/QuotaKit/QuotaKit.csproj" -getProperty:PackageVersion -nologo)"
ls "$packages"

echo "== Checking the nuspecs =="
fail() { echo "consumer check: $*" >&2; exit 1; }
for package in "$packages"/*.nupkg; do
  [[ "$package" == *.symbols.nupkg ]] && continue
  name="$(basename "$package" ".$version.nupkg")"
  nuspec="$(unzip -p "$package" '*.nuspec')"
  # Captured, then searched with here-strings: grep -q on a pipe ends early, and under pipefail the writer's SIGPIPE
  # fails the check at random (a CI run failed with "no <readme>" on a nuspec that had one).
  files="$(unzip -Z1 "$package")"
  echo "--- $name"
  echo "$nuspec" | grep -E '<(id|version|authors|license|icon|readme|projectUrl|copyright|tags|repository|dependency) '"|<(id|version|icon|readme|projectUrl|copyright|tags)>" | sed 's/^ *//'
  [ -f "$packages/$name.$version.snupkg" ] || fail "$name has no symbol package"
  grep -Eq '<repository type="git" url="https://github.com/quotakit/quotakit" commit="[0-9a-f]{40}" />' <<<"$nuspec" \
    || fail "$name: no repository URL and commit"
  for element in icon readme projectUrl copyright; do
    grep -q "<$element>" <<<"$nuspec" || fail "$name: no <$element>"
  done
  grep -qx 'README.md' <<<"$files" || fail "$name: README.md not packed"
  grep -qx 'icon.png' <<<"$files" || fail "$name: icon.png not packed"
  # Siblings exactly; third-party dependencies at their floors, never a latest patch leaking from the root versions.
  siblings="$(grep -E '<dependency id="QuotaKit[^"]*"' <<<"$nuspec" || true)"
  if [ -n "$siblings" ] && grep -vq "version=\"\[$version\]\"" <<<"$siblings"; then
    fail "$name: a QuotaKit dependency is not exactly [$version]"
  fi
  if grep -Eq '<dependency id="(Microsoft|Npgsql)[^"]*" version="[^"]*10\.0\.[1-9]' <<<"$nuspec"; then
    fail "$name: a dependency is above its 10.0.0 floor"
  fi
done
grep -qx 'sql/quotakit.sql' <<<"$(unzip -Z1 "$packages/$store.$version.nupkg")" \
  || fail "the store package has no sql/quotakit.sql"
core_tags="$(grep -i '<tags>' <<<"$(unzip -p "$packages/QuotaKit.$version.nupkg" '*.nuspec')")"
if grep -Eiq 'postgres|efcore|entityframework' <<<"$core_tags"; then
  fail "the core package's tags mention PostgreSQL or EF Core"
fi

echo "== Throwaway PostgreSQL =="
# shellcheck source=../throwaway-postgres.sh
source "$root/eng/throwaway-postgres.sh"
throwaway_postgres_start
psql_at() { psql "host=$THROWAWAY_PG_DIR port=5432 user=quotakit dbname=$1" -v ON_ERROR_STOP=1 -q "${@:2}"; }
psql_at postgres -c "CREATE DATABASE consumer" -c "CREATE DATABASE consumer_script"
unzip -p "$packages/$store.$version.nupkg" sql/quotakit.sql | psql_at consumer_script -f - >/dev/null
echo "consumer_script created with the package's sql/quotakit.sql"

echo "== Building and running the consumer app (QuotaKit $version from $packages) =="
dotnet build "$here/ConsumerCheck.csproj" -p:QuotaKitVersion="$version" -v quiet -nologo
ConnectionStrings__Quotas="${THROWAWAY_PG_CONNECTION/Database=postgres/Database=consumer}" \
ConnectionStrings__ScriptQuotas="${THROWAWAY_PG_CONNECTION/Database=postgres/Database=consumer_script}" \
  dotnet run --project "$here/ConsumerCheck.csproj" --no-build -p:QuotaKitVersion="$version"
