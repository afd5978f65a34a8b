#!/usr/bin/env bash
# The same setup as run.sh, then every test: formatting, clippy for the server and browser
# builds, unit and database tests, and the Playwright suite against a freshly built release
# server on a fresh database.
source "$(dirname "$0")/lib.sh"

setup_rust
setup_cargo_leptos
setup_wasm_bindgen
setup_nextest
setup_node
setup_chromium
setup_database bangban_e2e
E2E_DATABASE_URL="$DATABASE_URL"
# #[sqlx::test] makes its own database per test from this server.
export DATABASE_URL="$PG_ADMIN_URL"

step "cargo fmt --check"
cargo fmt --all -- --check

step "clippy: server (ssr) build"
cargo clippy -p shared -p server --all-targets -- -D warnings
cargo clippy -p app --features ssr --all-targets -- -D warnings
step "clippy: browser (hydrate) build"
cargo clippy -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
# The staff accounts' bundle compiles the staff islands as islands (feature `staff`).
cargo clippy -p app -p frontend --features app/hydrate,frontend/staff --target wasm32-unknown-unknown -- -D warnings

step "tests: shared (domain rules)"
cargo test -p shared
step "tests: app (ssr)"
cargo test -p app --features ssr
step "tests: server against PostgreSQL"
# In parallel, one process per test: two tests rendering pages on two threads of one process
# have been seen to stall (a page render whose resources had all resolved never finished;
# see .config/nextest.toml), and separate processes share nothing but the database server.
cargo nextest run -p server

build_release

step "browser tests on a fresh database"
export DATABASE_URL="$E2E_DATABASE_URL"
target/release/server --fresh --migrate-only --demo
serve_env
port=3100
export LEPTOS_SITE_ADDR="127.0.0.1:$port" BASE_URL="http://127.0.0.1:$port"
# The development SMS sender writes here; the tests read the codes people would get by SMS.
export BANGBAN_SMS_FILE="$PWD/target/e2e-sms.jsonl"
rm -f "$BANGBAN_SMS_FILE"
# Another server on the port would answer the tests with other code (seen: a stale build whose
# islands the new wasm no longer had).
port_open 127.0.0.1 $port && die "port $port is already in use; stop the server listening there"
target/release/server > target/e2e-server.log 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$BASE_URL/readyz" >/dev/null 2>&1 && break
  kill -0 $server_pid 2>/dev/null || { cat target/e2e-server.log; die "the server did not start"; }
  sleep 0.2
done
(cd end2end && npx playwright test)
node -e '
  const r = require("./end2end/test-results/results.json").stats;
  console.log(`end2end: ${r.expected} passed, ${r.unexpected} failed, ${r.skipped} skipped`);
'
