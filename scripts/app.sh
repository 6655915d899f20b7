#!/usr/bin/env bash
# Starts the app on http://127.0.0.1:${PORT:-8080}/, installing what it needs first (idempotently).
# Until the console (issue 5) lands, the app is the npm package's demo page with the sample world.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
scripts/build-npm.sh
site=target/demo
rm -rf "$site" && mkdir -p "$site"
cp -r target/npm/payrules "$site/payrules"
cp crates/payrules-wasm/demo/index.html "$site/"
cp tests/seeds/examples.jsonl "$site/"
step "serving"
exec node scripts/serve-static.mjs "$site" "${PORT:-8080}"
