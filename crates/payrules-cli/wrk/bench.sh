#!/usr/bin/env bash
# The server benchmark of BENCHMARKS.md: keep-alive reads and creates, 64 connections, on a fresh
# sandbox (the sample world) and on one holding 100,000 more plentymarkets payments, in memory and
# with `--store`. Needs the release binary and `wrk` (Debian package).
#   cargo build --release -p payrules-cli && crates/payrules-cli/wrk/bench.sh [STORE_DIR]
# STORE_DIR (default: a temporary directory) holds the store's database for the `--store` runs.
set -euo pipefail
cd "$(dirname "$0")/../../.."
bin=target/release/payrules
store_dir=${1:-$(mktemp -d)}
port=18561
url=http://127.0.0.1:$port
seconds=${SECONDS_PER_RUN:-10}

payments() { # SANDBOX: its payment count
  curl -s "$url/_payrules/sandboxes" | tr '{' '\n' | sed -n "s/.*\"name\":\"$1\",\"payments\":\([0-9]*\).*/\1/p"
}

creates() { # SANDBOX SECONDS: creates/s
  SANDBOX=$1 wrk -t2 -c64 -d"$2"s --timeout 10s -s crates/payrules-cli/wrk/create.lua "$url" \
    | sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p'
}

reads() { # SANDBOX: reads/s of one payment
  wrk -t2 -c64 -d"${seconds}"s -H 'Authorization: Bearer plenty-scenario-token' -H "Payrules-Sandbox: $1" \
    "$url/plentymarkets/rest/payments/1" | sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p'
}

run() { # LABEL ARGS...: one server, both sandboxes
  local label=$1 pid
  shift
  "$bin" serve --addr "127.0.0.1:$port" --log warn "$@" 2>/dev/null &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  until curl -s "$url/_payrules/health" > /dev/null; do sleep 0.1; done
  # The big sandbox: created, then filled with creates until it holds 100,000 more payments.
  curl -s -X POST -H 'Content-Type: application/json' -d '{"name":"big","from":"sample"}' "$url/_payrules/sandboxes" > /dev/null
  while [ "$(payments big)" -lt 100035 ]; do creates big 5 > /dev/null; done
  local big_before fresh_c big_c fresh_r big_r
  big_before=$(payments big)
  fresh_r=$(reads fresh)
  big_r=$(reads big)
  fresh_c=$(creates fresh "$seconds")
  big_c=$(creates big "$seconds")
  printf '| %s | %s | %s | %s (%s → %s payments) | %s |\n' "$label" "$fresh_r" "$big_r" "$fresh_c" 35 "$(payments fresh)" \
    "$big_c ($big_before → $(payments big) payments)"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  trap - EXIT
}

echo "| store | reads/s, fresh | reads/s, 100k | creates/s, fresh | creates/s, 100k |"
echo "|---|---:|---:|---:|---:|"
run "in memory"
rm -f "$store_dir"/bench.db*
run "--store (SQLite, synchronous=FULL)" --store "$store_dir/bench.db"
