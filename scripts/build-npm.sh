#!/usr/bin/env bash
# Builds the npm package `payrules` (WebAssembly for Node and browsers) into target/npm/payrules
# and packs it as target/npm/payrules-<version>.tgz. Installs its tools first when missing.
# Two modules: validation (crates/payrules-wasm → web/payrules_wasm_bg.wasm, the entry `payrules`)
# and the ledger (crates/payrules-wasm-ledger → web/ledger/payrules_ledger_bg.wasm, `payrules/ledger`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_rust >/dev/null
ensure_node_deps
ensure_wasm_bindgen

# Validation ships fast (profile release, wasm-opt -O3): opt-level z made its batch 2.4x slower for
# 17% less gzip, and neither reaches its size goal. The ledger ships small (profile wasm-small:
# opt-level z, panic abort; wasm-opt -Oz): its size is its goal. BENCHMARKS.md has each lever's
# numbers; VALIDATION_PROFILE / LEDGER_PROFILE and WASM_OPT_VALIDATION / WASM_OPT_LEDGER override.
validation_profile="${VALIDATION_PROFILE:-release}"
ledger_profile="${LEDGER_PROFILE:-wasm-small}"
step "npm package: compile both modules to wasm32 (validation: $validation_profile, ledger: $ledger_profile)"
cargo build -p payrules-wasm --profile "$validation_profile" --target wasm32-unknown-unknown --locked
cargo build -p payrules-wasm-ledger --profile "$ledger_profile" --target wasm32-unknown-unknown --locked

out=target/npm/payrules
rm -rf "$out" target/npm/payrules-*.tgz
mkdir -p "$out/web/ledger" "$out/ledger"
# The npm binaryen (version 132), never Debian's (it emits broken wasm).
wasm_opt() {
  scripts/bin/wasm-opt "$1" --enable-bulk-memory --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-reference-types "$2" -o "$2"
}
wasm-bindgen --target web --out-dir "$out/web" --out-name payrules_wasm \
  target/wasm32-unknown-unknown/"$validation_profile"/payrules_wasm.wasm
wasm_opt "${WASM_OPT_VALIDATION:--O3}" "$out/web/payrules_wasm_bg.wasm"
wasm-bindgen --target web --out-dir "$out/web/ledger" --out-name payrules_ledger \
  target/wasm32-unknown-unknown/"$ledger_profile"/payrules_wasm_ledger.wasm
wasm_opt "${WASM_OPT_LEDGER:--Oz}" "$out/web/ledger/payrules_ledger_bg.wasm"
rm -f "$out"/web/*.d.ts "$out"/web/ledger/*.d.ts  # the package's own declarations describe both entries
npm=crates/payrules-wasm/npm
cp "$npm/package.json" "$npm/node.js" "$npm/web.js" "$npm/batch.js" "$npm/index.d.ts" "$npm/README.md" "$out/"
# profiles(): the descriptions as JSON text in JavaScript, not in the validation module (BENCHMARKS.md).
cargo run -q -p payrules --example profiles_js --locked > "$out/profiles.js"
cp "$npm/ledger/node.js" "$npm/ledger/web.js" "$npm/ledger/index.d.ts" "$out/ledger/"
# The data types' declarations (ProfileId from the registry, Report, Violation, …) generated from
# the Rust types (ts-rs), never written by hand; index.d.ts re-exports them.
cargo run -q -p payrules --example ts_types --features ts --locked > "$out/types.d.ts"
(cd target/npm && npm pack ./payrules --pack-destination . --silent >/dev/null)
ls target/npm/payrules-*.tgz
for wasm in "$out/web/payrules_wasm_bg.wasm" "$out/web/ledger/payrules_ledger_bg.wasm"; do
  raw=$(stat -c %s "$wasm")
  gz=$(gzip -9 -c "$wasm" | wc -c)
  echo "$(basename "$wasm"): $raw bytes raw, $gz bytes gzip -9"
done
