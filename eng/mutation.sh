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
# The integration tests start their own throwaway PostgreSQL (or use QUOTAKIT_TEST_CONNECTION_STRING).
# Reports land in StrykerOutput/ under the package's folder. A full core run takes about 25 minutes on 2 cores.
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
cd "$project_dir"
exec dotnet dotnet-stryker --config-file stryker-config.json "${args[@]}"
