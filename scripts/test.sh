#!/usr/bin/env bash
# The one command that runs every test of payrules, on a fresh machine or a warm one.
# It installs what it needs first, skipping whatever is already there at the right version.
#   scripts/test.sh            everything: format, lints (native and wasm32), native tests, the npm
#                              package in Node, the engine and the console's components in headless
#                              Chromium, CLI/Node/Chromium parity, the console end to end (Trunk
#                              build, Playwright with Debian's Chromium), a bounded fuzz run
#   FUZZ_SECONDS=0 scripts/test.sh   the same without the fuzz run
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# CI runs in a fresh clone each time: keep cargo's build artifacts between runs on this machine,
# outside the clone (a warm run then rebuilds only what changed). Developers keep their own target/.
if [ -n "${CI:-}" ] && [ ! -e target ]; then
  cache="${PAYRULES_CACHE_DIR:-$HOME/.cache/payrules}"
  mkdir -p "$cache/target" "$cache/fuzz-target"
  ln -s "$cache/target" target
  [ -e fuzz/target ] || ln -s "$cache/fuzz-target" fuzz/target
fi

step "toolchain and tools (installed only when missing)"
ensure_rust
ensure_node_deps
ensure_chromium
ensure_wasm_bindgen
ensure_trunk

step "format"
cargo fmt --all -- --check

step "lints (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "lints (wasm32: the core and the package must build for the browser)"
cargo clippy -p payrules -p payrules-wasm -p payrules-web --target wasm32-unknown-unknown --locked -- -D warnings
cargo clippy -p payrules-wasm -p payrules-web --target wasm32-unknown-unknown --tests --locked -- -D warnings

step "tests (native)"
INSTA_UPDATE=no cargo test --workspace --locked

step "tests in headless Chromium (wasm-bindgen-test, Debian's Chromium and ChromeDriver)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER="$(command -v chromedriver)" \
  cargo test -p payrules-wasm -p payrules-web --target wasm32-unknown-unknown --locked

step "the npm package: build, pack, and test it in Node; parity CLI = Node = Chromium"
scripts/build-npm.sh
(cd tests && node --test node/)

step "the console end to end: trunk build --release, then Playwright in Debian's Chromium"
scripts/build-web.sh
(cd tests && node --test e2e/)

fuzz_seconds="${FUZZ_SECONDS:-60}"
if [ "$fuzz_seconds" -gt 0 ]; then
  step "fuzz the request reader for ${fuzz_seconds}s"
  if ensure_cargo_fuzz; then
    # Start from real requests: every seed example and test vector line is a corpus entry.
    mkdir -p fuzz/corpus/validate
    cat tests/seeds/*.jsonl crates/payrules/tests/vectors/*.jsonl | awk '{ print > ("fuzz/corpus/validate/seed-" NR) }'
    (cd fuzz && cargo +nightly fuzz run validate -- -max_total_time="$fuzz_seconds" -max_len=4096 2>&1 | tail -n 3)
  else
    echo "No nightly toolchain here: the fuzz run needs one (see CONTRIBUTING.md). The property tests above cover the same ground."
  fi
fi

step "all green"
