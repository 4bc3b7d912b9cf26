#!/usr/bin/env bash
# `make crash-test`: the release server, killed with SIGKILL at 50 random moments while admins post and
# edit, candidates sign up and apply, and visitors subscribe to alerts; on SQLite, then on PostgreSQL (a
# throwaway cluster; the board's server is killed, not the database). Prints the acknowledged writes and
# the losses of each engine; fails on any loss, any 5xx, an application beyond the limit or a failed
# integrity or foreign-key check. The test command runs the same test with 4 kills on the debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
kills="${JOBBOARD_CRASH_KILLS:-50}"

.ci/setup.sh
printf '\n==> Building the release server (cargo leptos build --release --split)\n'
cargo leptos build --release --split
export JOBBOARD_TEST_BINARY="$PWD/target/release/jobboard" JOBBOARD_CRASH_KILLS="$kills"
test_name=crash::no_acknowledged_write_is_lost_when_the_server_is_killed

printf '\n==> %s kills on SQLite\n' "$kills"
JOBBOARD_TEST_POSTGRES="" cargo test -p server --test integration "$test_name" -- --exact --nocapture 2>&1 \
  | grep -E -A6 "^crash test|panicked|FAILED|^test result"

printf '\n==> %s kills on PostgreSQL\n' "$kills"
eval "$(.ci/postgres.sh start)"
trap '.ci/postgres.sh stop "$JOBBOARD_TEST_POSTGRES_DIR"' EXIT
cargo test -p server --test integration "$test_name" -- --exact --nocapture 2>&1 \
  | grep -E -A6 "^crash test|panicked|FAILED|^test result"
