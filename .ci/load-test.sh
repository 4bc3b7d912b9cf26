#!/usr/bin/env bash
# `make load-test`: 60 s of mixed traffic (64 connections: listing with filters and keywords, deep pages,
# postings, companies, career paths, the API, feeds) against the release server on a copy of the
# benchmark's 100,000-posting SQLite board, while an admin posts a job every second and candidates sign up
# and apply. Fails on any 5xx, timeout or lost write, or an RSS at the end more than 20% off its value
# after the warm-up (bench/load_test.py). LOAD_SECONDS sets the length.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
POSTINGS="${BENCH_POSTINGS:-100000}"
DB="bench/data/bench-$POSTINGS.db"
PORT=3920
ADMIN_EMAIL="load@jobs.example"
ADMIN_PASSWORD="violet kettle orbit 1931"

.ci/setup.sh
if ! command -v oha >/dev/null; then
  echo "installing oha from crates.io (a few minutes, once)"
  cargo install oha --locked --version 1.16.0
fi
printf '\n==> Building the release site (cargo leptos build --release --split)\n'
cargo leptos build --release --split
mkdir -p bench/data
if [[ ! -f "$DB" ]]; then
  printf '\n==> Loading %s postings into %s (as the benchmark does)\n' "$POSTINGS" "$DB"
  rm -f "$DB" "$DB-wal" "$DB-shm"
  target/release/jobboard --database-url "sqlite://$DB" --log warn seed --generate "$POSTINGS"
fi
folder="$(mktemp -d)"
cp "$DB" "$folder/board.db"
if [[ -f "$DB-wal" ]]; then cp "$DB-wal" "$folder/board.db-wal"; fi
export DATABASE_URL="sqlite://$folder/board.db"
JOBBOARD_ADMIN_PASSWORD="$ADMIN_PASSWORD" target/release/jobboard --log warn admin create --email "$ADMIN_EMAIL" >/dev/null
# The benchmark's board was loaded with the brief's postings taking applications elsewhere; here the
# brief's company takes them on the site, so that candidates can apply (under its limit of two).
python3 - "$folder/board.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE postings SET applies_on_site = 1 WHERE company_id = (SELECT id FROM companies WHERE slug = 'tiktok')")
db.commit()
db.close()
PY

# One address makes all the traffic here, so the per-address limits are raised out of the way.
RUST_LOG=warn JOBBOARD_ALERT_SWEEP_SECONDS=0 LEPTOS_SITE_ROOT=target/site \
  JOBBOARD_LISTING_MISSES_PER_MINUTE=100000000 JOBBOARD_ACCOUNT_MAILS_PER_ADDRESS_PER_HOUR=100000000 \
  JOBBOARD_CANDIDATE_WRITES_PER_MINUTE=100000000 JOBBOARD_TOKEN_FORMS_PER_MINUTE=100000000 \
  target/release/jobboard serve --addr "127.0.0.1:$PORT" --public-url "http://127.0.0.1:$PORT" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$folder"' EXIT
for _ in $(seq 1 600); do
  if curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null
python3 bench/load_test.py "127.0.0.1:$PORT" "$folder/board.db" "$server" "$ADMIN_EMAIL" "$ADMIN_PASSWORD" "${LOAD_SECONDS:-60}"
