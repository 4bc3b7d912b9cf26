#!/usr/bin/env bash
# The API contract: schemathesis (from PyPI, in .ci/.venv) reads /api/v1/openapi.json from a server on a
# fresh SQLite database with the demo data, generates requests for every operation from it, and checks
# each answer: no server error, a documented status and content type, a body that matches the schema.
# Usage: .ci/api-contract.sh [server binary] (the debug build by default); SCHEMATHESIS_EXAMPLES sets the
# cases per operation (100).
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-target/debug/jobboard}"
folder="$(mktemp -d)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# New searches are rate limited per address; schemathesis makes thousands from one.
DATABASE_URL="sqlite://$folder/api.db" RUST_LOG=warn JOBBOARD_ALERT_SWEEP_SECONDS=0 \
  JOBBOARD_LISTING_MISSES_PER_MINUTE=1000000 LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}" \
  "$binary" serve --addr "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$folder"' EXIT
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null
.ci/.venv/bin/schemathesis run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --mode positive --max-examples "${SCHEMATHESIS_EXAMPLES:-100}" --workers 2 --no-color
