#!/usr/bin/env bash
# Builds the console's release bundle into dist/ with Trunk (installing its tools when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_rust >/dev/null
ensure_node_deps
ensure_wasm_bindgen
ensure_trunk
# Trunk runs offline (Trunk.toml): fetch the crates first, and use binaryen's wasm-opt 132 through
# scripts/bin/wasm-opt (its outputs cached by input: an unchanged module is not optimized again).
cargo fetch --locked >/dev/null
PATH="$PWD/scripts/bin:$PWD/tests/node_modules/.bin:$PATH" trunk build --release
