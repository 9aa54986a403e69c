#!/usr/bin/env bash
# Maintainers' migration commands, working as written in a fresh clone:
#
#   bash eng/migrations.sh add NAME    add a migration, then regenerate the idempotent script
#   bash eng/migrations.sh remove      remove the last migration (checked against a throwaway database), regenerate the script
#   bash eng/migrations.sh script      regenerate the idempotent script only
#
# It restores the dotnet-ef tool and the packages, builds, and runs dotnet ef with the store project and the console
# sample as the design-time startup project. `migrations remove` needs a database to see whether the migration was
# applied: a throwaway PostgreSQL (eng/throwaway-postgres.sh) is started for it. The script is always generated from a
# fresh build (never --no-build over a stale one), so it matches the migrations; IdempotentScriptTests checks that.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
store=src/QuotaKit.PostgreSql
startup=samples/QuotaKit.Samples.Console
script="$store/Schema/quotakit.sql"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 1 ] || usage
command="$1"
case "$command" in
  add) [ $# -eq 2 ] || usage ;;
  remove | script) [ $# -eq 1 ] || usage ;;
  *) usage ;;
esac

ef() { dotnet ef "$@" --project "$store" --startup-project "$startup"; }

dotnet tool restore
dotnet restore "$startup"
dotnet build "$startup" -nologo -v quiet

case "$command" in
  add)
    ef migrations add "$2" --output-dir Migrations
    ;;
  remove)
    # shellcheck source=throwaway-postgres.sh
    source "$root/eng/throwaway-postgres.sh"
    throwaway_postgres_start
    # An empty history table (QuotaKitSchema's names), so EF finds "nothing applied" instead of logging a failed query.
    psql "host=$THROWAWAY_PG_DIR port=5432 user=quotakit dbname=postgres" -v ON_ERROR_STOP=1 -q -c "CREATE SCHEMA quotakit" \
      -c 'CREATE TABLE quotakit.__quotakit_migrations ("MigrationId" varchar(150) PRIMARY KEY, "ProductVersion" varchar(32) NOT NULL)'
    QUOTAKIT_CONNECTION_STRING="$THROWAWAY_PG_CONNECTION" ef migrations remove
    ;;
esac

# Regenerated from the migrations as they are now: dotnet ef builds the projects first.
ef migrations script --idempotent --output "$script"
echo "Regenerated $script"
