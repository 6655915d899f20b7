#!/usr/bin/env bash
# Starts the payrules console with `trunk serve` on http://127.0.0.1:8080/ (the in-browser ledger
# starts from the sample world), installing what it needs first and skipping what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
step "tools (installed only when missing)"
ensure_rust
ensure_node_deps
ensure_wasm_bindgen
ensure_trunk
# Trunk runs offline (Trunk.toml): fetch the crates first, and use binaryen's wasm-opt 132.
cargo fetch --locked >/dev/null
step "trunk serve"
PATH="$PWD/tests/node_modules/.bin:$PATH" exec trunk serve "$@"
