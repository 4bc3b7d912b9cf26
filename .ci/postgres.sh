#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, from Debian's packages (installed when missing):
#   eval "$(.ci/postgres.sh start)"   initialises a cluster in a temporary folder, starts it on a free
#                                     loopback port and prints the exports JOBBOARD_TEST_POSTGRES (its URL)
#                                     and JOBBOARD_TEST_POSTGRES_DIR (its folder)
#   .ci/postgres.sh stop DIR          stops that cluster and removes its folder
# initdb refuses to run as root: as root, the cluster belongs to Debian's `postgres` user (runuser).
# Durability is off (fsync, synchronous commit): the data is thrown away after the tests.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
as_owner() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    if [[ ! -x $PG_BIN/initdb ]]; then
      echo "installing PostgreSQL 15 from Debian's packages" >&2
      export DEBIAN_FRONTEND=noninteractive
      { apt-get update -q && apt-get install -y -q postgresql-15; } >&2
    fi
    dir=$(mktemp -d /tmp/jobboard-postgres.XXXXXX)
    [[ $(id -u) == 0 ]] && chown postgres: "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "$PG_BIN/initdb" -D "$dir/data" -A trust -U jobboard --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # TLS with a throwaway self-signed certificate, so that the tests can check a connection with
    # sslmode=require (plain connections still work).
    if ! command -v openssl >/dev/null 2>&1; then
      export DEBIAN_FRONTEND=noninteractive
      { apt-get update -q && apt-get install -y -q openssl; } >&2
    fi
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
      -keyout "$dir/data/server.key" -out "$dir/data/server.crt" >/dev/null 2>&1
    chmod 600 "$dir/data/server.key"
    [[ $(id -u) == 0 ]] && chown postgres: "$dir/data/server.key" "$dir/data/server.crt"
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c ssl=on" start >&2 \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "export JOBBOARD_TEST_POSTGRES=postgres://jobboard@127.0.0.1:$port/postgres"
    echo "export JOBBOARD_TEST_POSTGRES_DIR=$dir"
    ;;
  stop)
    dir=${2:?usage: .ci/postgres.sh stop DIR}
    [[ -d $dir/data ]] && as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: .ci/postgres.sh start | stop DIR" >&2
    exit 2
    ;;
esac
