#!/usr/bin/env bash
# Mutation testing with Stryker.NET (pinned in .config/dotnet-tools.json), one package at a time.
#
#   eng/mutation.sh core|store [--since BRANCH] [--hot] [extra dotnet-stryker arguments]
#   eng/mutation.sh sql [dotnet test arguments, e.g. --logger "console;verbosity=detailed" to see which check kills each]
#
#   core   src/QuotaKit against tests/QuotaKit.Tests and the behaviour suite (tests/QuotaKit.PostgreSql.Tests)
#   store  src/QuotaKit.PostgreSql against tests/QuotaKit.PostgreSql.Tests
#   sql    the SQL mutation harness: bugs planted in quotakit.record_usage, each must fail a check (about 2 minutes)
#   --since BRANCH  mutate only what changed since BRANCH (what a pull request touched)
#   --hot           mutate only the hot path (the scope docs/mutation-testing.md records scores for)
#
# The thresholds live in each package's stryker-config.json: below the break score (85) the run exits non-zero.
# Stryker runs the tests once per mutant, each run in a new test process. Left alone, every one of those processes would
# start its own throwaway PostgreSQL cluster; so unless QUOTAKIT_TEST_CONNECTION_STRING names a server, this script
# starts ONE throwaway cluster (eng/throwaway-postgres.sh, fsync off) for the whole run and stops it at the end.
# Reports land in StrykerOutput/ under the package's folder. Times: docs/mutation-testing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ "${1:-}" = sql ]; then
  # The harness is left out of the default `dotnet test` by the project's default.runsettings; this file selects it.
  exec dotnet test tests/QuotaKit.PostgreSql.Tests --settings tests/QuotaKit.PostgreSql.Tests/sql-mutation.runsettings \
    "${@:2}"
fi

case "${1:-}" in
  core)  project_dir=src/QuotaKit; hot=("Tracking/**/*.cs" "Stores/**/*.cs" "Alerts/**/*.cs" "Features/FeatureLimit.cs") ;;
  store) project_dir=src/QuotaKit.PostgreSql; hot=("Store/**/*.cs" "Subjects/**/*.cs") ;;
  *) echo "usage: eng/mutation.sh core|store [--since BRANCH] [--hot] [dotnet-stryker arguments] | eng/mutation.sh sql" >&2; exit 2 ;;
esac
shift

args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --since) args+=("--since:$2"); shift 2 ;;
    --hot) for pattern in "${hot[@]}"; do args+=(-m "$pattern"); done; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

dotnet tool restore >/dev/null
if [ -z "${QUOTAKIT_TEST_CONNECTION_STRING:-}" ]; then
  # shellcheck source=throwaway-postgres.sh
  source eng/throwaway-postgres.sh
  # TCP: the reliability tests put a fault proxy in front of the server. 600 connections: the races open many, and Stryker may run two test processes at once (-c 2).
  THROWAWAY_PG_TCP=1 THROWAWAY_PG_SETTINGS="-c max_connections=600 -c synchronous_commit=off -c full_page_writes=off" throwaway_postgres_start
  export QUOTAKIT_TEST_CONNECTION_STRING="$THROWAWAY_PG_CONNECTION"
fi
cd "$project_dir"
# Not exec: the EXIT trap stops the throwaway cluster when Stryker ends.
dotnet dotnet-stryker --config-file stryker-config.json "${args[@]}"
