#!/usr/bin/env bash
# The fault test (not part of every CI run: about three minutes after a release build).
#   scripts/faults.sh
# On a PostgreSQL cluster of its own (target/faults/pg, port 5499) it starts two server
# processes on one database, drives case steps and submissions against both from concurrent
# clients (server/examples/faults.rs), and meanwhile:
#   1. kill -9s one server mid-load and starts it again (as systemd would);
#   2. stops PostgreSQL the hard way (immediate: a crash) for five seconds and starts it again —
#      the servers are NOT restarted: they must come back by themselves;
# then checks that every write a server acknowledged is in the database and none is
# half-applied (version = events, chains intact, every stored file on disk), that readiness
# went false and true again, and that no client request hung.
# Last, uploads to a third server whose files folder (a 512 kB tmpfs) is full: the upload must be
# refused with a clear message and leave no partial file.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/lib.sh

WORK="$ROOT/target/faults"
PORT=5499
BINDIR="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
run=()
if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
pg() { "${run[@]}" "$BINDIR/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w "$@" >/dev/null; }

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  pg stop -m fast 2>/dev/null || true
  if mountpoint -q "$WORK/full" 2>/dev/null; then umount "$WORK/full" || true; fi
}
trap cleanup EXIT

# FAULTS_NO_BUILD=1: use the release server and driver already built.
if [ -z "${FAULTS_NO_BUILD:-}" ]; then
  setup_rust; setup_cargo_leptos; setup_wasm_bindgen
  build_release
  step "building the fault driver"
  cargo build --release -p server --example faults
fi

step "a PostgreSQL cluster of the test's own on port $PORT"
pg stop -m fast 2>/dev/null || true
rm -rf "$WORK" && mkdir -p "$WORK/pg" "$WORK/files"
[ "$(id -u)" = 0 ] && chown postgres "$WORK/pg" && chmod o+x "$ROOT" "$ROOT/target" "$WORK"
"${run[@]}" "$BINDIR/initdb" -D "$WORK/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
pg -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1" start
export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/bangban_faults"
target/release/server --fresh --migrate-only --demo

serve_env
export BANGBAN_FILES_DIR="$WORK/files" BANGBAN_SMS_FILE="$WORK/sms.jsonl"
start_server() { # port log
  LEPTOS_SITE_ADDR="127.0.0.1:$1" nohup target/release/server >>"$WORK/server-$1.log" 2>&1 &
  echo $!
}
wait_ready() {
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$1/readyz" >/dev/null && return 0
    sleep 0.2
  done
  die "server on $1 did not become ready"
}
a=$(start_server 3201); b=$(start_server 3202); pids+=("$a" "$b")
wait_ready 3201; wait_ready 3202

step "load on both servers for 40 s, with faults"
FAULT_BASES=http://127.0.0.1:3201,http://127.0.0.1:3202 FAULT_SECONDS=40 \
  target/release/examples/faults > >(tee "$WORK/driver.log") 2>&1 &
driver=$!
# The faults come once the clients are at work (the driver prints its first line then).
for _ in $(seq 1 300); do grep -q "^fault load" "$WORK/driver.log" 2>/dev/null && break; sleep 0.2; done
sleep 8
echo "  $(date +%T) kill -9 the server on 3201 (pid $a), and start it again"
kill -9 "$a"
sleep 1
a=$(start_server 3201); pids+=("$a")
sleep 9
echo "  $(date +%T) PostgreSQL stops (immediate: as in a crash) for 5 s"
pg stop -m immediate
sleep 5
pg -o "-p $PORT -k /tmp -c listen_addresses=127.0.0.1" start
echo "  $(date +%T) PostgreSQL is back; the servers were not touched"
status=0
wait "$driver" || status=$?
kill -0 "$b" 2>/dev/null || die "the server on 3202 died with the database"
[ "$status" = 0 ] || die "the fault test failed (see above)"

step "uploads when the disk is full"
mkdir -p "$WORK/full"
if mount -t tmpfs -o size=512k tmpfs "$WORK/full" 2>/dev/null; then
  # Fill it up, leaving less than any upload needs.
  dd if=/dev/zero of="$WORK/full/filler" bs=4k 2>/dev/null || true
  c=$(BANGBAN_FILES_DIR="$WORK/full" start_server 3203); pids+=("$c")
  wait_ready 3203
  BANGBAN_FILES_DIR="$WORK/full" target/release/examples/faults --disk-full http://127.0.0.1:3203
else
  echo "  (cannot mount a tmpfs here: the disk-full upload is covered by server/tests/suite/faults.rs only, as root)"
fi
echo
echo "fault test passed"
