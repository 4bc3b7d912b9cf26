#!/usr/bin/env bash
# Runs the site: installs what is missing, builds in release mode, and serves on http://127.0.0.1:3000.
# The SQLite database (DATABASE_URL, default sqlite://data/jobboard.db) is created, migrated and seeded
# on first start.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

.ci/setup.sh
printf '\n==> Building the release site (a first build takes about 10 minutes on 2 cores)\n'
# --split: the admin's posting form is a lazy island, loaded from its own wasm file when a page has it.
cargo leptos build --release --split
printf '\n==> Serving on http://%s (Ctrl-C stops)\n' "${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
exec target/release/jobboard serve "$@"
