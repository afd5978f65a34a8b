#!/usr/bin/env bash
# Lighthouse (mobile) scores of the pages applicants open first: not part of the test command.
#   scripts/lighthouse.sh            builds the release server, serves the demo data, prints scores
#   LIGHTHOUSE_NO_BUILD=1 ...        uses the release build already there
# Lighthouse runs in Debian's Chromium (headless), installed by npm into target/lighthouse on
# the first run; the apply page is opened logged in as the demo applicant.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/lib.sh

# 12.x is the last Lighthouse that runs on Node.js 20.
LIGHTHOUSE_VERSION=12.8.2
PORT=3300

setup_node
setup_chromium
if [ -z "${LIGHTHOUSE_NO_BUILD:-}" ]; then
  setup_rust; setup_cargo_leptos; setup_wasm_bindgen
  build_release
fi
LH="$ROOT/target/lighthouse"
if [ ! -x "$LH/node_modules/.bin/lighthouse" ]; then
  step "installing Lighthouse $LIGHTHOUSE_VERSION into target/lighthouse"
  mkdir -p "$LH"
  npm install --prefix "$LH" --no-audit --no-fund --no-save "lighthouse@$LIGHTHOUSE_VERSION" >/dev/null
fi

setup_database bangban_lighthouse
target/release/server --fresh --migrate-only --demo
serve_env
export LEPTOS_SITE_ADDR="127.0.0.1:$PORT" BANGBAN_SMS_FILE="$LH/sms.jsonl"
BASE="http://127.0.0.1:$PORT"
port_open 127.0.0.1 $PORT && die "port $PORT is already in use"
target/release/server > "$LH/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done

item=$(curl -fsS "$BASE/catalog?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7" | grep -o 'href="/items/[0-9]*"' | head -1 | cut -d'"' -f2)
[ -n "$item" ] || die "no item found in the catalog"
# The applicant's session cookie, for the apply page.
cookie=$(curl -fsS -o /dev/null -D - -X POST "$BASE/api/login" -H "Origin: $BASE" -H 'Accept: application/json' \
  --data-urlencode login_name=13800000001 --data-urlencode password=demo1234 |
  grep -i '^set-cookie: bangban_session=' | head -1 | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//')
[ -n "$cookie" ] || die "could not log in as the demo applicant"

score() { # name path [cookie]
  local out="$LH/$1.json" headers=()
  [ -n "${3:-}" ] && headers=(--extra-headers "{\"Cookie\": \"$3\"}")
  CHROME_PATH=/usr/bin/chromium "$LH/node_modules/.bin/lighthouse" "$BASE$2" --quiet --output=json \
    --output-path="$out" --form-factor=mobile --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run --disable-quic" \
    "${headers[@]}" >/dev/null 2>>"$LH/lighthouse.log" || { echo "  $1: Lighthouse failed (see $LH/lighthouse.log)"; return; }
  node -e '
    const r = require(process.argv[1]); const c = r.categories;
    const s = (k) => String(Math.round(c[k].score * 100)).padStart(3);
    console.log(`  ${process.argv[2].padEnd(6)} performance ${s("performance")}  accessibility ${s("accessibility")}  best practices ${s("best-practices")}  SEO ${s("seo")}   ${process.argv[3]}`);
    for (const k of ["accessibility", "best-practices"])
      for (const ref of c[k].auditRefs) {
        const a = r.audits[ref.id];
        if (ref.weight > 0 && a.score !== null && a.score < 1) console.log(`           ${k}: ${a.id} — ${a.title}`);
      }
  ' "$out" "$1" "$2"
}

step "Lighthouse $LIGHTHOUSE_VERSION, mobile, $(nproc) cores"
score home /
score item "$item"
score apply "$item/apply" "$cookie"
