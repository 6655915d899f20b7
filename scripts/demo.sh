#!/usr/bin/env bash
# Serves the npm package's demo page on http://127.0.0.1:${PORT:-8080}/ (the package in a plain
# page: validate as you type, send to an in-page ledger), installing what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
scripts/build-npm.sh
site=target/demo
rm -rf "$site" && mkdir -p "$site"
cp -r target/npm/payrules "$site/payrules"
cp crates/payrules-wasm/demo/index.html "$site/"
cat crates/payrules/data/*/seeds/examples.jsonl > "$site/examples.jsonl"
step "serving"
exec node scripts/serve-static.mjs "$site" "${PORT:-8080}"
