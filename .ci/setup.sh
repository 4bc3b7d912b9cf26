#!/usr/bin/env bash
# Installs what building and testing need, idempotently: each step is skipped when its tool is there.
# Everything comes from crates.io, npm, Debian and rustup's own server: nothing else is downloaded.
#   .ci/setup.sh            build tools (wasm target, cargo-leptos, wasm-bindgen, cargo-deny, npm packages)
#   .ci/setup.sh --browser  the same, plus Debian's chromium for the end-to-end tests
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION="0.3.11"
CARGO_DENY_VERSION="0.20.2"
WASM_BINDGEN_VERSION="0.2.130"   # must equal the wasm-bindgen crate pinned in Cargo.toml
want_browser=false
[[ "${1:-}" == "--browser" ]] && want_browser=true

step() { printf '\n==> %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

step "Rust target wasm32-unknown-unknown"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "already installed"
else
  rustup target add wasm32-unknown-unknown
fi

# Building the tools below in a lighter release profile roughly halves their build time; they still work.
light_release() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_OPT_LEVEL=1 "$@"
}

step "cargo-leptos $CARGO_LEPTOS_VERSION"
if cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  echo "already installed"
else
  echo "building from crates.io: about 20 minutes on 2 cores, once per machine"
  light_release cargo install --locked --ignore-rust-version cargo-leptos \
    --version "$CARGO_LEPTOS_VERSION" --features no_downloads
fi

step "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
if wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  echo "already installed"
else
  echo "building from crates.io: about 4 minutes, once per machine"
  # Not --locked: its lock file names a yanked crate version.
  light_release env CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback \
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

step "cargo-deny $CARGO_DENY_VERSION (licences, duplicate versions and sources of the dependencies)"
if cargo deny --version 2>/dev/null | grep -q "$CARGO_DENY_VERSION"; then
  echo "already installed"
else
  echo "building from crates.io: about 6 minutes on 2 cores, once per machine"
  light_release cargo install --locked --no-default-features cargo-deny --version "$CARGO_DENY_VERSION"
fi

step "npm packages (Tailwind CSS, binaryen's wasm-opt, Playwright)"
if [[ -d node_modules && node_modules/.package-lock.json -nt package-lock.json ]]; then
  echo "already installed"
else
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi

if $want_browser; then
  step "Python packages of the tests (aiosmtpd, a real SMTP server on loopback; schemathesis, the API contract) in .ci/.venv"
  if [[ -x .ci/.venv/bin/python3 ]] && .ci/.venv/bin/python3 -c "import aiosmtpd, schemathesis" 2>/dev/null; then
    echo "already installed"
  else
    if [[ ! -x .ci/.venv/bin/python3 ]] && ! python3 -m venv .ci/.venv; then
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q
      apt-get install -y -q python3-venv
      python3 -m venv .ci/.venv
    fi
    .ci/.venv/bin/python3 -m pip install --quiet --disable-pip-version-check -r .ci/requirements.txt
  fi

  step "Java for the Nu HTML Checker (vnu-jar, from npm, checks the pages in the end-to-end tests)"
  if command -v java >/dev/null 2>&1; then
    echo "already installed: $(java -version 2>&1 | head -1)"
  else
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q default-jre-headless
  fi

  step "Debian's chromium (for the end-to-end tests)"
  if [[ -x /usr/bin/chromium ]]; then
    echo "already installed: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"
  else
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q chromium
  fi
fi
