#!/usr/bin/env bash
# Sets up everything Bangban needs (toolchain pieces, database, migrations, demo data) and
# serves it on http://127.0.0.1:3000. Safe to re-run; fast when nothing changed.
source "$(dirname "$0")/lib.sh"

setup_rust
setup_cargo_leptos
setup_wasm_bindgen
setup_node
setup_database bangban
build_release
prepare_database --demo
serve_env
export LEPTOS_SITE_ADDR="${LEPTOS_SITE_ADDR:-127.0.0.1:3000}"
step "serving on http://$LEPTOS_SITE_ADDR (Ctrl-C stops)"
exec target/release/server
