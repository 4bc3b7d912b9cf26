#!/usr/bin/env bash
# Runs the whole test suite: formatting, clippy for both feature sets, unit tests, the database and
# in-process HTTP tests on SQLite and on PostgreSQL, and the end-to-end tests in Debian's chromium with
# JavaScript on and off.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# A one-shot CI build gains nothing from incremental compilation, which only costs disk.
if [[ -n "${CI:-}" ]]; then export CARGO_INCREMENTAL=0; fi
started=$SECONDS
step() { printf '\n==> [%ss] %s\n' "$((SECONDS - started))" "$*"; }

.ci/setup.sh --browser

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy, server build (ssr)"
cargo clippy -p app -p server --features app/ssr --all-targets -- -D warnings
step "clippy, browser build (hydrate, wasm32)"
cargo clippy -p jobboard -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

step "the wasm build pulls in nothing server-only"
if cargo tree -p jobboard --target wasm32-unknown-unknown -e normal 2>/dev/null | grep -Eq '^.*\b(sqlx|tokio|axum|ammonia|argon2|tower-sessions|governor|zxcvbn) v'; then
  echo "a server-only crate reached the wasm build:" >&2
  cargo tree -p jobboard --target wasm32-unknown-unknown -e normal | grep -E '\b(sqlx|tokio|axum|ammonia|argon2|tower-sessions|governor|zxcvbn) v' >&2
  exit 1
fi
echo "ok"

step "dependencies: licences, duplicate versions, sources (cargo deny, deny.toml; advisories need GitHub)"
cargo deny check licenses bans sources

step "a PostgreSQL server for the tests (Debian's PostgreSQL 15, a throwaway cluster)"
eval "$(.ci/postgres.sh start)"
trap '.ci/postgres.sh stop "$JOBBOARD_TEST_POSTGRES_DIR"' EXIT
echo "$JOBBOARD_TEST_POSTGRES"

step "unit, database and HTTP tests on SQLite"
cargo test -p app --features ssr
JOBBOARD_TEST_POSTGRES="" cargo test -p server -- --skip postgres_only

step "database and HTTP tests on PostgreSQL"
cargo test -p server --test integration --test timing

step "building the site for the end-to-end tests (cargo leptos build --split)"
cargo leptos build --split

step "the API contract: schemathesis against /api/v1/openapi.json (SQLite)"
.ci/api-contract.sh target/debug/jobboard

step "end-to-end tests in chromium, JavaScript on and off (SQLite)"
(cd end2end && npx playwright test)

step "end-to-end tests of the board, the admin and alerts on PostgreSQL"
psql "$JOBBOARD_TEST_POSTGRES" -q -c "CREATE DATABASE e2e"
(cd end2end && E2E_DATABASE_URL="${JOBBOARD_TEST_POSTGRES%/*}/e2e" npx playwright test tests/board.spec.ts tests/admin.spec.ts tests/alerts.spec.ts)

step "all tests passed in $((SECONDS - started)) s"
