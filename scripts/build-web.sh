#!/usr/bin/env bash
# Builds the console's release bundle into dist/ with Trunk (installing its tools when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_rust >/dev/null
ensure_node_deps
ensure_wasm_bindgen
ensure_trunk
# Trunk runs offline (Trunk.toml): fetch the crates first, and use binaryen's wasm-opt 132.
cargo fetch --locked >/dev/null
PATH="$PWD/tests/node_modules/.bin:$PATH" trunk build --release
