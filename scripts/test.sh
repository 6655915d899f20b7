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

# The fuzz stage's files, in one place: what seeds each target's corpus, and where corpora,
# saved regressions and crash inputs live (all under fuzz/; cargo fuzz writes crashes to
# fuzz/artifacts/<target>/, and each target's log goes there too).
fuzz_seed_scenarios=(crates/payrules/data/*/scenarios/*.in.jsonl) # request sequences: ledger_handle, ledger_restore
fuzz_seed_requests=(crates/payrules/data/*/seeds/*.jsonl)          # one request a line: validate; examples: ledger_handle
fuzz_seed_vectors=(crates/payrules/data/*/vectors.jsonl)           # one vector a line: validate
fuzz_corpus=fuzz/corpus            # fuzz/corpus/<target>/, kept between CI runs
fuzz_regressions=fuzz/regressions  # fuzz/regressions/<target>/: inputs that once failed, committed
fuzz_artifacts=fuzz/artifacts      # crash inputs and logs, kept between CI runs

# CI runs in a fresh clone each time: keep cargo's build artifacts, the fuzz corpora and crash
# inputs between runs on this machine, outside the clone (a warm run then rebuilds only what
# changed, and fuzzing goes on from where the last run stopped). Developers keep their own.
if [ -n "${CI:-}" ]; then
  cache="${PAYRULES_CACHE_DIR:-$HOME/.cache/payrules}"
  link_to_cache target "$cache/target"
  link_to_cache fuzz/target "$cache/fuzz-target"
  link_to_cache "$fuzz_corpus" "$cache/fuzz-corpus"
  link_to_cache "$fuzz_artifacts" "$cache/fuzz-artifacts"
  link_to_cache tests/.venv "$cache/venv"
fi

step "toolchain and tools (installed only when missing)"
ensure_rust
ensure_node_deps
ensure_chromium
ensure_wasm_bindgen
ensure_trunk
ensure_python_tools
ensure_nightly

step "format"
cargo fmt --all -- --check

step "lints (native)"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p payrules --all-targets --features ts --locked -- -D warnings  # the TypeScript generator

step "lints (wasm32: the core and the package must build for the browser)"
cargo clippy -p payrules -p payrules-wasm -p payrules-wasm-ledger -p payrules-web --target wasm32-unknown-unknown --locked -- -D warnings
# The browser test files (the libraries and binaries have no wasm32 unit tests: building their test
# harnesses for wasm32 cost two more compiles of the console).
wasm_tests=(--test browser --test components)
cargo clippy -p payrules-wasm -p payrules-wasm-ledger -p payrules-web --target wasm32-unknown-unknown "${wasm_tests[@]}" --locked -- -D warnings

step "tests (native)"
INSTA_UPDATE=no cargo test --workspace --locked

step "the core's documentation (no warnings) and its examples, run"
RUSTDOCFLAGS="-D warnings" cargo doc -p payrules --no-deps --locked
cargo run -q -p payrules --example validate_jsonl --locked -- crates/payrules/data/crmcom/seeds/examples.jsonl
cargo run -q -p payrules --example crmcom_cancel --locked
cargo run -q -p payrules --example lifecycles --locked > /dev/null
scripts/public-api.sh

step "tests in headless Chromium (wasm-bindgen-test, Debian's Chromium and ChromeDriver)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER="$(command -v chromedriver)" \
  cargo test -p payrules-wasm -p payrules-wasm-ledger -p payrules-web --target wasm32-unknown-unknown "${wasm_tests[@]}" --locked

# The five OpenAPI documents validated by openapi-spec-validator, and Schemathesis against serve.
scripts/openapi.sh

step "the npm package: build, pack, and test it in Node; parity CLI = Node = Chromium"
scripts/build-npm.sh
# The declarations (data types generated from Rust) type-checked against a file using every export.
(cd tests && node_modules/.bin/tsc -p types)
(cd tests && node --test node/)

step "the console end to end: trunk build --release, then Playwright in Debian's Chromium"
scripts/build-web.sh
(cd tests && node --test e2e/)

# Each target's corpus starts from real requests, and is topped up from them on every run.
seed_fuzz_corpora() {
  local f name
  # validate: every seed example and test vector line is an entry.
  mkdir -p "$fuzz_corpus/validate"
  cat "${fuzz_seed_requests[@]}" "${fuzz_seed_vectors[@]}" \
    | awk -v dir="$fuzz_corpus/validate" '{ print > (dir "/seed-" NR) }'
  # ledger_handle: every scenario file is one entry (a request sequence), and so are the examples.
  mkdir -p "$fuzz_corpus/ledger_handle"
  for f in "${fuzz_seed_scenarios[@]}" "${fuzz_seed_requests[@]}"; do
    name=$(echo "$f" | tr '/' '-')
    cp "$f" "$fuzz_corpus/ledger_handle/seed-$name"
  done
  # ledger_restore: the sample world's snapshot, and the snapshot after each scenario file.
  mkdir -p "$fuzz_corpus/ledger_restore"
  cargo build -q --locked -p payrules-cli
  target/debug/payrules replay --save "$fuzz_corpus/ledger_restore/seed-sample.json" /dev/null >/dev/null
  for f in "${fuzz_seed_scenarios[@]}"; do
    name=$(echo "$f" | tr '/' '-')
    target/debug/payrules replay --save "$fuzz_corpus/ledger_restore/seed-${name%.in.jsonl}.json" "$f" >/dev/null
  done
}

# FUZZ_SECONDS is the whole fuzz run, shared by the three targets (0 skips it). -max_len leaves
# room beyond the largest seed: for request sequences, for snapshots (the sample world's is ~25 kB).
fuzz_seconds="${FUZZ_SECONDS:-60}"
if [ "$fuzz_seconds" -gt 0 ]; then
  step "fuzz the request reader and the ledger for ${fuzz_seconds}s in all"
  if ! ensure_cargo_fuzz; then
    if [ -n "${CI:-}" ]; then
      echo "FAIL: CI runs the fuzz stage, and it cannot run on this machine (see above)."
      echo "Install a nightly toolchain (rustup toolchain install nightly --profile minimal), or skip the stage on purpose with FUZZ_SECONDS=0."
      exit 1
    fi
    echo "NOTE: the fuzz stage is skipped here (see above; CI does not skip it). The property tests above"
    echo "cover the same invariants; install a nightly toolchain to fuzz (see CONTRIBUTING.md)."
  elif ! cargo metadata -q --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null; then
    # Else cargo fuzz would update it, from the network, on every run.
    echo "FAIL: fuzz/Cargo.lock is not up to date with the core's dependencies (above): run"
    echo "  cargo update --manifest-path fuzz/Cargo.toml --workspace --offline   and commit fuzz/Cargo.lock"
    exit 1
  else
    seed_fuzz_corpora
    per_target=$(( fuzz_seconds / 3 > 0 ? fuzz_seconds / 3 : 1 ))  # -max_total_time=0 would never stop
    fuzz_failed=()
    # target:max_len:most entries. libFuzzer first runs the whole corpus, outside the time budget,
    # so a corpus grown past its most entries (ledger_handle runs ~40 inputs/s) is minimized first.
    for spec in validate:4096:5000 ledger_handle:16384:500 ledger_restore:65536:3000; do
      IFS=: read -r fuzz_target max_len most <<<"$spec"
      largest=$(largest_file "$fuzz_corpus/$fuzz_target" "$fuzz_regressions/$fuzz_target")
      [ "$largest" -le "$max_len" ] || max_len=$(( largest * 2 ))  # never cut a seed short
      entries=$(find "$fuzz_corpus/$fuzz_target" -type f | wc -l)
      if [ "$entries" -gt "$most" ]; then
        echo "minimize the $fuzz_target corpus first ($entries entries; log in $fuzz_artifacts/$fuzz_target.cmin.log)"
        fuzz_cmin "$fuzz_target" "$max_len" "$fuzz_artifacts/$fuzz_target.cmin.log" "$fuzz_corpus/$fuzz_target" \
          || { fuzz_failed+=("$fuzz_target (cmin)"); continue; }
      fi
      dirs=("$fuzz_corpus/$fuzz_target")
      [ -d "$fuzz_regressions/$fuzz_target" ] && dirs+=("$fuzz_regressions/$fuzz_target")
      fuzz_run "$fuzz_target" "$per_target" "$max_len" "$fuzz_artifacts/$fuzz_target.log" "${dirs[@]}" \
        || fuzz_failed+=("$fuzz_target")
    done
    if [ "${#fuzz_failed[@]}" -gt 0 ]; then
      echo "FAIL: the fuzz stage failed for: ${fuzz_failed[*]} (a failing input or a failed build; reports above)"
      exit 1
    fi
  fi
fi

step "all green"
