#!/usr/bin/env bash
# The core's public API against its committed snapshot (crates/payrules/public-api.txt): every
# public module, function and its parameters, struct and its fields, enum and its variants (and
# whether it is #[non_exhaustive]), trait, constant and method, read from rustdoc's JSON (nightly)
# by tests/api/public-api.mjs. A difference fails: an API change must be deliberate.
#   scripts/public-api.sh           check
#   scripts/public-api.sh --bless   rewrite the snapshot after a deliberate change (review the diff)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_nightly
json_dir=target/public-api
cargo +nightly rustdoc -q -p payrules --lib --locked --target-dir "$json_dir" -- -Z unstable-options --output-format json
now=$(node tests/api/public-api.mjs "$json_dir/doc/payrules.json")
snapshot=crates/payrules/public-api.txt
if [ "${1:-}" = "--bless" ]; then
  printf '%s\n' "$now" > "$snapshot"
  echo "public API: $(wc -l < "$snapshot") items written to $snapshot"
  exit 0
fi
if ! diff -u "$snapshot" <(printf '%s\n' "$now"); then
  echo "public API: the crate's public API differs from $snapshot (above). If the change is deliberate,"
  echo "run scripts/public-api.sh --bless and commit the snapshot with it (a removal or rename breaks users)."
  exit 1
fi
echo "public API: $(wc -l < "$snapshot") items, as in $snapshot"
