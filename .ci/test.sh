#!/usr/bin/env bash
# Runs the whole test suite: formatting, clippy for both feature sets, unit and database tests, in-process
# HTTP tests, and the end-to-end tests in Debian's chromium with JavaScript on and off.
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

step "unit, database and HTTP tests"
cargo test -p app --features ssr
cargo test -p server

step "building the site for the end-to-end tests (cargo leptos build)"
cargo leptos build

step "end-to-end tests in chromium, JavaScript on and off"
(cd end2end && npx playwright test)

step "all tests passed in $((SECONDS - started)) s"
