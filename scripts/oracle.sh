#!/usr/bin/env bash
# The whole-CLI oracle for refactors: every observable output of `payrules` on fixed inputs, at
# a base revision and at the working tree, diffed. A refactor keeps it empty.
#   scripts/oracle.sh [BASE_REV]     (default: HEAD; the working tree is compared with it)
# It builds the CLI of BASE_REV in a temporary worktree (its own target dir), runs both on the
# base revision's data files (profiles, every diagram, the seeds, every scenario replayed with
# its final snapshot, a 20,000-request mixed batch validated and replayed with its snapshot) and
# prints the files that differ; exit 1 when any does.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:-HEAD}"
work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add -q --detach "$work/base" "$base"
(cd "$work/base" && CARGO_TARGET_DIR="${ORACLE_TARGET_DIR:-target/oracle-base}" cargo build -q -p payrules-cli)
cargo build -q -p payrules-cli
before="$work/base/${ORACLE_TARGET_DIR:-target/oracle-base}/debug/payrules"
after=target/debug/payrules

run() { # BIN OUT: the outputs, on the base revision's data
  local bin=$1 out=$2 data="$work/base/crates/payrules/data" f name
  mkdir -p "$out"
  "$bin" profiles > "$out/profiles.json"
  for p in $("$bin" profiles | sed -n 's/^    "id": "\([a-z0-9_]*\)",$/\1/p'); do "$bin" diagram "$p" > "$out/diagram-$p.mmd"; done
  "$bin" validate "$data"/*/seeds/examples.jsonl > "$out/v-examples.jsonl" || true
  for f in "$data"/*/seeds/originals.jsonl; do "$bin" validate "$f" >> "$out/v-originals.jsonl" || true; done
  for f in "$data"/*/scenarios/*.in.jsonl; do
    name=$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f")
    "$bin" replay --save "$out/snap-$name.json" "$f" > "$out/r-$name"
  done
  "$bin" generate --seed 7 --count 20000 > "$work/mixed.jsonl"
  "$bin" validate "$work/mixed.jsonl" > "$out/v-mixed.jsonl" || true
  "$bin" replay --save "$out/snap-mixed.json" "$work/mixed.jsonl" > "$out/r-mixed.jsonl"
}
run "$before" "$work/before"
run "$after" "$work/after"
if diff -rq "$work/before" "$work/after"; then
  echo "oracle: $(ls "$work/after" | wc -l) outputs identical to $base"
else
  echo "oracle: outputs differ from $base (above)"; exit 1
fi
