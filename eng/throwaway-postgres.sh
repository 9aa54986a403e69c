# Source this file: a throwaway PostgreSQL cluster for scripts (the consumer check, migrations.sh), like
# QuotaKit.Testing's LocalPostgresServer. `throwaway_postgres_start` creates and starts one in a temporary folder and
# sets THROWAWAY_PG_CONNECTION (a superuser connection to database "postgres"); `throwaway_postgres_stop` stops and
# deletes it (the start function registers it on EXIT). It listens on a Unix socket in its own folder only, so it
# needs no free port. As root the server runs as the postgres OS user (PostgreSQL refuses to run as root).

throwaway_postgres_start() {
  local bin
  bin="$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)")"
  if [ ! -x "$bin/initdb" ]; then
    echo "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; install Debian's postgresql package." >&2
    return 1
  fi
  THROWAWAY_PG_DIR="$(mktemp -d /tmp/quotakit-script-pg-XXXXXX)"
  chmod 755 "$THROWAWAY_PG_DIR"
  local as=()
  if [ "$(id -u)" = 0 ]; then chown postgres "$THROWAWAY_PG_DIR"; as=(runuser -u postgres --); fi
  trap throwaway_postgres_stop EXIT
  "${as[@]}" "$bin/initdb" -D "$THROWAWAY_PG_DIR/data" -A trust -U quotakit -E UTF8 --no-locale --no-sync >"$THROWAWAY_PG_DIR/initdb.log" 2>&1 \
    || { cat "$THROWAWAY_PG_DIR/initdb.log" >&2; return 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -l "$THROWAWAY_PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories=$THROWAWAY_PG_DIR -c port=5432 -c fsync=off" start >/dev/null \
    || { cat "$THROWAWAY_PG_DIR/server.log" >&2; return 1; }
  THROWAWAY_PG_BIN="$bin"
  THROWAWAY_PG_AS=("${as[@]}")
  THROWAWAY_PG_CONNECTION="Host=$THROWAWAY_PG_DIR;Port=5432;Username=quotakit;Database=postgres"
  export THROWAWAY_PG_CONNECTION
}

throwaway_postgres_stop() {
  if [ -n "${THROWAWAY_PG_DIR:-}" ] && [ -d "$THROWAWAY_PG_DIR" ]; then
    "${THROWAWAY_PG_AS[@]}" "$THROWAWAY_PG_BIN/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$THROWAWAY_PG_DIR"
  fi
  THROWAWAY_PG_DIR=""
}
