#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on loopback for the store tests; prints the URL to use.
# Usage: eval "$(scripts/test-postgres.sh start)"   ...   scripts/test-postgres.sh stop
set -euo pipefail
PORT="${SKILLPATH_PG_PORT:-54329}"
DATA="${SKILLPATH_PG_DATA:-/tmp/skillpath-pg}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -n "$BIN" ] || { echo "PostgreSQL server not installed (apt-get install postgresql)" >&2; exit 1; }
as_pg() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
case "${1:-start}" in
  start)
    if [ ! -s "$DATA/PG_VERSION" ]; then
      mkdir -p "$DATA" && { [ "$(id -u)" != 0 ] || chown postgres "$DATA"; }
      as_pg "$BIN/initdb -D '$DATA' -A trust -U postgres" >/dev/null
    fi
    as_pg "$BIN/pg_ctl -D '$DATA' status" >/dev/null 2>&1 ||
      as_pg "$BIN/pg_ctl -D '$DATA' -o \"-c listen_addresses=127.0.0.1 -p $PORT -k /tmp\" -l '$DATA/server.log' -w start" >/dev/null
    echo "export SKILLPATH_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    as_pg "$BIN/pg_ctl -D '$DATA' -m fast -w stop" >/dev/null || true
    ;;
esac
