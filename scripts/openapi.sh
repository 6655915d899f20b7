#!/usr/bin/env bash
# The OpenAPI documents, checked by tools we did not write:
#   1. `payrules openapi --out` writes the five documents (generated from the operation tables);
#   2. openapi-spec-validator validates each; every pattern in them compiles as ECMA-262 (Node, `u`
#      flag; Rust's regex dialect is checked by the crate's tests);
#   3. Schemathesis runs against `payrules serve` on the sample world, bounded (a fixed number of
#      examples per operation, a fixed seed), every vendor, with its checks for server errors,
#      status codes, content types and response schemas. Any failure fails the stage.
#   scripts/openapi.sh            (ST_MAX_EXAMPLES=N, ST_SEED=S to change the bounds)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_python_tools
cargo build -q -p payrules-cli --locked
bin=target/debug/payrules
out=$(mktemp -d)
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$out"' EXIT
"$bin" openapi --out "$out/docs"

step "OpenAPI: the documents validate (openapi-spec-validator) and their patterns are ECMA-262"
for doc in "$out"/docs/*.json; do tests/.venv/bin/openapi-spec-validator "$doc"; done
node tests/openapi/patterns.mjs "$out"/docs/*.json

step "Schemathesis against payrules serve (bounded: ${ST_MAX_EXAMPLES:=10} examples per operation, seed ${ST_SEED:=20261201})"
port_file="$out/port"
"$bin" serve --addr 127.0.0.1:0 --log warn --now 2024-01-01T09:00:00Z > "$out/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  addr=$(sed -n 's/.*listening on http:\/\/\([0-9.:]*\).*/\1/p' "$out/serve.log" | head -1)
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { cat "$out/serve.log"; echo "payrules serve did not start"; exit 1; }
# The sample world's credentials, one per vendor (data/<id>/sample.json), as each vendor sends them.
declare -A auth=(
  [komet]=""
  [activeplatform]='[auth.openapi.query_api_token]
api_key = "654321"'
  [crmcom]='[auth.openapi.query_token]
api_key = "B8D7A12E9F91AFADE914B7330AFD08CB"'
  [plentymarkets]='[auth.openapi.bearer]
bearer = "plenty-scenario-token"'
  [logisense]='[auth.openapi.bearer]
bearer = "9f0c2e7a-logisense-example"'
)
failed=()
for doc in "$out"/docs/*.json; do
  profile=$(basename "$doc" .json)
  config="$out/$profile.toml"
  printf 'headers = { Payrules-Sandbox = "schemathesis-%s" }\n%s\n' "$profile" "${auth[$profile]-}" > "$config"
  echo "--- $profile"
  if ! tests/.venv/bin/st --config-file "$config" run "$doc" --url "http://$addr/$profile" \
      --max-examples "$ST_MAX_EXAMPLES" --seed "$ST_SEED" --no-color \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
      > "$out/$profile.st.log" 2>&1; then
    failed+=("$profile")
    cat "$out/$profile.st.log"
  else
    grep -E "generated|passed|failed" "$out/$profile.st.log" | tail -2
  fi
done
if ! kill -0 "$server" 2>/dev/null; then
  cat "$out/serve.log"; echo "payrules serve died during the run"; exit 1
fi
[ ${#failed[@]} -eq 0 ] || { echo "Schemathesis failed for: ${failed[*]}"; exit 1; }
echo "Schemathesis: every vendor passed"
