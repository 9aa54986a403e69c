# Source this file: a throwaway PostgreSQL cluster for scripts (the consumer check, migrations.sh), like
# QuotaKit.Testing's LocalPostgresServer. `throwaway_postgres_start` creates and starts one in a temporary folder and
# sets THROWAWAY_PG_CONNECTION (a superuser connection to database "postgres"); `throwaway_postgres_stop` stops and
# deletes it (the start function registers it on EXIT). It listens on a Unix socket in its own folder only, so it
# needs no free port. As root the server runs as the postgres OS user (PostgreSQL refuses to run as root).
# THROWAWAY_PG_SETTINGS adds server settings, e.g. "-c max_connections=300". THROWAWAY_PG_TCP=1 makes it listen on a
# free loopback TCP port instead (for tests that put a TCP proxy in front of the server).

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
  local listen="''" host="$THROWAWAY_PG_DIR" port=5432
  if [ "${THROWAWAY_PG_TCP:-}" = 1 ]; then
    listen=127.0.0.1 host=127.0.0.1 port=$((20000 + RANDOM % 40000))
    # A port something already answers on is taken; try the next.
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  fi
  "${as[@]}" "$bin/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -l "$THROWAWAY_PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=$listen -c unix_socket_directories=$THROWAWAY_PG_DIR -c port=$port -c fsync=off ${THROWAWAY_PG_SETTINGS:-}" start >/dev/null \
    || { cat "$THROWAWAY_PG_DIR/server.log" >&2; return 1; }
  THROWAWAY_PG_BIN="$bin"
  THROWAWAY_PG_AS=("${as[@]}")
  THROWAWAY_PG_CONNECTION="Host=$host;Port=$port;Username=quotakit;Database=postgres"
  export THROWAWAY_PG_CONNECTION
}

throwaway_postgres_stop() {
  if [ -n "${THROWAWAY_PG_DIR:-}" ] && [ -d "$THROWAWAY_PG_DIR" ]; then
    "${THROWAWAY_PG_AS[@]}" "$THROWAWAY_PG_BIN/pg_ctl" -D "$THROWAWAY_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$THROWAWAY_PG_DIR"
  fi
  THROWAWAY_PG_DIR=""
}
