#!/usr/bin/env bash
# Trunk's post_build hook (Trunk.toml): puts the console's second WebAssembly module, the ledger
# (crates/payrules-wasm-ledger, the npm package's `payrules/ledger` module), in the app's
# `ledger/` folder, and writes `sample-view.json`: the sample world's views, which the console
# paints first, computed by that very module (`new Ledger().consoleView()` in Node), so what is
# painted before the ledger is loaded is what the ledger shows once it is.
# Release builds (trunk build --release): profile wasm-small, wasm-opt -Oz, as the npm package
# ships it (BENCHMARKS.md); debug builds (trunk serve): the dev profile, no wasm-opt.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${TRUNK_STAGING_DIR:?run by Trunk (trunk build / trunk serve; see Trunk.toml)}"
target_dir="${CARGO_TARGET_DIR:-target}"
if [ "${TRUNK_PROFILE:-debug}" = release ]; then profile=wasm-small; dir=wasm-small; else profile=dev; dir=debug; fi
cargo build -p payrules-wasm-ledger --features console --profile "$profile" --target wasm32-unknown-unknown --locked
out="$TRUNK_STAGING_DIR/ledger"
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name payrules_ledger \
  "$target_dir/wasm32-unknown-unknown/$dir/payrules_wasm_ledger.wasm"
if [ "$profile" = wasm-small ]; then
  # The npm binaryen (version 132) that Trunk uses too, never Debian's (it emits broken wasm).
  "${WASM_OPT:-scripts/bin/wasm-opt}" -Oz --enable-bulk-memory --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-reference-types \
    "$out/payrules_ledger_bg.wasm" -o "$out/payrules_ledger_bg.wasm"
fi
node --input-type=module -e '
  import { readFileSync, writeFileSync } from "node:fs";
  const [dir, file] = process.argv.slice(1);
  const m = await import(`${dir}/payrules_ledger.js`);
  m.initSync({ module: readFileSync(`${dir}/payrules_ledger_bg.wasm`) });
  const ledger = new m.Ledger();
  writeFileSync(file, ledger.consoleView());
  ledger.free();
' "$(realpath "$out")" "$TRUNK_STAGING_DIR/sample-view.json"
