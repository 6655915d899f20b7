#!/usr/bin/env bash
# Builds the npm package `payrules` (WebAssembly for Node and browsers) into target/npm/payrules
# and packs it as target/npm/payrules-<version>.tgz. Installs its tools first when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_rust >/dev/null
ensure_node_deps
ensure_wasm_bindgen

step "npm package: compile to wasm32"
cargo build -p payrules-wasm --release --target wasm32-unknown-unknown --locked

out=target/npm/payrules
rm -rf "$out" target/npm/payrules-*.tgz
mkdir -p "$out/web"
wasm-bindgen --target web --out-dir "$out/web" --out-name payrules_wasm \
  target/wasm32-unknown-unknown/release/payrules_wasm.wasm
# The npm binaryen (version 132), never Debian's (it emits broken wasm).
tests/node_modules/.bin/wasm-opt -O3 --enable-bulk-memory --enable-mutable-globals \
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-reference-types \
  "$out/web/payrules_wasm_bg.wasm" -o "$out/web/payrules_wasm_bg.wasm"
cp crates/payrules-wasm/npm/package.json crates/payrules-wasm/npm/node.js crates/payrules-wasm/npm/web.js \
  crates/payrules-wasm/npm/index.d.ts crates/payrules-wasm/npm/README.md "$out/"
# The ProfileId union comes from the registry (crates/payrules/src/registry.rs), never by hand.
ids=$(sed -n 's/^ *\([a-z0-9_]*\): [A-Za-z0-9_]* = ".*";$/\x27\1\x27/p' crates/payrules/src/registry.rs | paste -sd'|' | sed 's/|/ | /g')
[ -n "$ids" ] || { echo "no profile ids read from crates/payrules/src/registry.rs"; exit 1; }
sed -i "s/^export type ProfileId = .*;$/export type ProfileId = $ids;/" "$out/index.d.ts"
grep -q "^export type ProfileId = $ids;$" "$out/index.d.ts" || { echo "ProfileId was not generated in $out/index.d.ts"; exit 1; }
(cd target/npm && npm pack ./payrules --pack-destination . --silent >/dev/null)
ls target/npm/payrules-*.tgz
raw=$(stat -c %s "$out/web/payrules_wasm_bg.wasm")
gz=$(gzip -9 -c "$out/web/payrules_wasm_bg.wasm" | wc -c)
echo "payrules_wasm_bg.wasm: $raw bytes raw, $gz bytes gzip -9"
