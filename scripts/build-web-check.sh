#!/usr/bin/env bash
# Trunk's post_build hook (Trunk.toml): puts the validation module (crates/payrules-wasm, the npm
# package's `payrules` module) in the app's `check/` folder, for the file check's Web Worker
# (www/check-worker.js). Nothing loads it until a file is checked, so the first load is unchanged.
# Release builds (trunk build --release): profile release, wasm-opt -O3, as the npm package ships
# it (with the feature `csv` besides) (scripts/build-npm.sh: its batch speed is its goal); debug builds (trunk serve): dev, no wasm-opt.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${TRUNK_STAGING_DIR:?run by Trunk (trunk build / trunk serve; see Trunk.toml)}"
target_dir="${CARGO_TARGET_DIR:-target}"
if [ "${TRUNK_PROFILE:-debug}" = release ]; then profile=release; dir=release; else profile=dev; dir=debug; fi
# The feature `csv` adds CsvRequests (CSV rows as requests), which the npm package leaves out.
cargo build -p payrules-wasm --features csv --profile "$profile" --target wasm32-unknown-unknown --locked
out="$TRUNK_STAGING_DIR/check"
mkdir -p "$out"
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name payrules_wasm \
  "$target_dir/wasm32-unknown-unknown/$dir/payrules_wasm.wasm"
if [ "$profile" = release ]; then
  # The npm binaryen (version 132) that Trunk uses too, never Debian's (it emits broken wasm).
  "${WASM_OPT:-scripts/bin/wasm-opt}" -O3 --enable-bulk-memory --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-multivalue --enable-reference-types \
    "$out/payrules_wasm_bg.wasm" -o "$out/payrules_wasm_bg.wasm"
fi
