# Shared setup for scripts/run.sh and scripts/test.sh: installs what is missing, prints each step,
# and fails with one clear line when something cannot be fixed automatically.
# shellcheck shell=bash

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_LEPTOS_VERSION="0.3.11"
export PATH="$HOME/.cargo/bin:$ROOT/end2end/node_modules/.bin:$PATH"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

step() { printf '\n==> %s\n' "$*"; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "需要 root 权限运行: $* (以 root 运行本脚本，或手动安装后重试)"; fi
}

apt_install() {
  step "installing Debian packages: $*"
  if [ ! -f /tmp/.bangban-apt-updated ]; then
    as_root apt-get update -qq && touch /tmp/.bangban-apt-updated
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

setup_rust() {
  command -v cargo >/dev/null || die "Rust is missing: install rustup (https://rustup.rs), then re-run"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt
}

setup_cargo_leptos() {
  if cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then return; fi
  # Its locked dependencies need a newer rustc than stable; the binary itself works with stable.
  if ! rustup toolchain list | grep -q '^nightly'; then
    step "installing the nightly toolchain (only to build cargo-leptos)"
    rustup toolchain install nightly --profile minimal
  fi
  step "building cargo-leptos $CARGO_LEPTOS_VERSION (about 20 minutes, once)"
  cargo +nightly install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
}

setup_wasm_bindgen() {
  local want
  want="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
  [ -n "$want" ] || die "cannot read the wasm-bindgen version from Cargo.lock"
  if wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then return; fi
  step "installing wasm-bindgen-cli $want (must match Cargo.lock)"
  cargo install wasm-bindgen-cli --version "$want"
}

# The server's database tests run one process per test (see scripts/test.sh).
setup_nextest() {
  if cargo nextest --version >/dev/null 2>&1; then return; fi
  step "installing cargo-nextest (once)"
  cargo install cargo-nextest --locked
}

setup_node() {
  command -v npm >/dev/null || apt_install nodejs npm
  if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -x end2end/node_modules/.bin/playwright ] \
     || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    step "installing Node packages (Playwright test runner, binaryen's wasm-opt)"
    (cd end2end && npm ci --no-audit --no-fund)
  fi
}

setup_chromium() {
  if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'wenquanyi\|wqy'; then
    apt_install chromium fonts-wqy-microhei
  fi
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Sets PG_ADMIN_URL (a server to create databases on) and DATABASE_URL (the app's database).
setup_database() {
  local dbname="${1:-bangban}"
  if [ -n "${DATABASE_URL:-}" ]; then
    PG_ADMIN_URL="${DATABASE_URL%/*}/postgres"
  elif port_open 127.0.0.1 5432; then
    PG_ADMIN_URL="postgres://postgres@127.0.0.1:5432/postgres"
    DATABASE_URL="postgres://postgres@127.0.0.1:5432/$dbname"
  else
    start_local_cluster
    PG_ADMIN_URL="postgres://postgres@127.0.0.1:5433/postgres"
    DATABASE_URL="postgres://postgres@127.0.0.1:5433/$dbname"
  fi
  export PG_ADMIN_URL DATABASE_URL
  echo "database: ${DATABASE_URL}"
}

# No server reachable: a project-local cluster under target/pgdata on port 5433, trust auth.
start_local_cluster() {
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [ -z "$bindir" ]; then
    apt_install postgresql
    bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  fi
  local data="$ROOT/target/pgdata"
  mkdir -p "$ROOT/target"
  local run=()
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root.
    run=(runuser -u postgres --)
    mkdir -p "$data" && chown postgres "$data"
    chmod o+x "$ROOT" "$ROOT/target" 2>/dev/null || true
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    step "creating a local PostgreSQL cluster in target/pgdata"
    "${run[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! port_open 127.0.0.1 5433; then
    step "starting the local PostgreSQL cluster on 127.0.0.1:5433"
    "${run[@]}" "$bindir/pg_ctl" -D "$data" -l "$data/server.log" -w \
      -o "-p 5433 -k /tmp -c listen_addresses=127.0.0.1" start >/dev/null
  fi
}

build_release() {
  # Two browser bundles (see app::IslandScripts): the staff accounts' one has every island.
  step "building the staff accounts' client (every island)"
  cargo leptos build --release --precompress --frontend-only --project bangban-staff
  step "building the release server and the applicants' client (cargo leptos build --release)"
  cargo leptos build --release --precompress --project bangban
  rm -rf target/site/pkg/staff
  cp -r target/site-staff/pkg/staff target/site/pkg/staff
}

# Applies migrations (creating the database if needed) and, with --demo, loads the demo data.
prepare_database() {
  step "migrating ${DATABASE_URL##*/}${1:+ and loading demo data}"
  target/release/server --migrate-only "$@"
}

serve_env() {
  export LEPTOS_OUTPUT_NAME=bangban LEPTOS_SITE_ROOT=target/site LEPTOS_SITE_PKG_DIR=pkg LEPTOS_ENV=PROD
}
