# Shared helpers for scripts/*.sh: idempotent installs and readable steps. Sourced, not run.

# Each step says how long the one before it took, and when it started (since the script did), so
# a slow stage shows in any log (CI's warm run has a 15-minute goal).
step_started=$SECONDS
step_name=""
step() {
  [ -z "$step_name" ] || printf '(%s: %ss)\n' "$step_name" "$((SECONDS - step_started))"
  step_started=$SECONDS
  step_name="$*"
  printf '\n=== %s === (at %ss)\n' "$*" "$SECONDS"
}

# Tools installed by `cargo install` must be found even where their directory is not on PATH yet.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# The pinned toolchain (rust-toolchain.toml) with rustfmt, clippy and the wasm32 target.
ensure_rust() {
  command -v rustup >/dev/null || { echo "rustup is required (https://rustup.rs)"; exit 1; }
  local channel
  channel=$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)
  rustup toolchain list | grep -q "^$channel" || rustup toolchain install "$channel" --profile minimal
  rustup component list --toolchain "$channel" --installed | grep -q '^rustfmt' || rustup component add --toolchain "$channel" rustfmt
  rustup component list --toolchain "$channel" --installed | grep -q '^clippy' || rustup component add --toolchain "$channel" clippy
  rustup target list --toolchain "$channel" --installed | grep -q '^wasm32-unknown-unknown$' \
    || rustup target add --toolchain "$channel" wasm32-unknown-unknown
  rustc --version
}

# A nightly toolchain (minimal), for the fuzz targets and rustdoc's JSON (the public-API check).
ensure_nightly() {
  rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
}

# cargo-fuzz for the nightly toolchain. Returns 1, saying why, when there is no nightly toolchain
# or cargo-fuzz cannot be installed.
ensure_cargo_fuzz() {
  if ! rustup toolchain list | grep -q '^nightly'; then
    echo "cannot fuzz: there is no nightly toolchain (rustup toolchain install nightly --profile minimal)"
    return 1
  fi
  if ! cargo fuzz --version >/dev/null 2>&1; then
    if ! CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install cargo-fuzz --version 0.13.2 --locked; then
      echo "cannot fuzz: \`cargo install cargo-fuzz --version 0.13.2 --locked\` failed (its output is above)"
      return 1
    fi
  fi
}

# On CI: DIR (in the fresh clone) becomes a link to CACHE_DIR, which outlives the clone. A DIR that
# is already there is left as it is.
link_to_cache() {
  local dir=$1 cache_dir=$2
  if [ -e "$dir" ] || [ -L "$dir" ]; then return 0; fi
  mkdir -p "$cache_dir" "$(dirname "$dir")"
  ln -s "$cache_dir" "$dir"
}

# The size in bytes of the largest file in the given directories (0 when there is none).
largest_file() {
  local size
  size=$({ find "$@" -type f -printf '%s\n' 2>/dev/null || true; } | sort -n | tail -n 1)
  echo "${size:-0}"
}

# Every crate of ours forbids unsafe code, so the fuzz targets are built without AddressSanitizer
# (cargo fuzz's default): what they hunt is panics and broken invariants, which libFuzzer sees
# without it, and the build is faster and the targets run ~2x as many inputs in the same time.
fuzz_sanitizer=none

# Runs one cargo-fuzz target of fuzz/ for SECONDS on its corpus (new inputs are written to the
# first CORPUS_DIR; the others, such as the saved regressions, are only read), the output kept in
# LOG. On success it prints libFuzzer's summary; on a crash or a failed build it prints the output
# in full (without libFuzzer's progress lines, which stay in LOG), the crashing input's path and
# how to reproduce it, and returns 1.
#   fuzz_run TARGET SECONDS MAX_LEN LOG CORPUS_DIR...
fuzz_run() {
  local target=$1 seconds=$2 max_len=$3 log=$4
  shift 4
  mkdir -p "$(dirname "$log")" "$1"
  echo "fuzz $target for ${seconds}s (-max_len=$max_len), corpus $*"
  if cargo +nightly fuzz run --fuzz-dir fuzz --sanitizer "$fuzz_sanitizer" "$target" "$@" -- \
    -max_total_time="$seconds" -max_len="$max_len" >"$log" 2>&1; then
    grep -E '^#[0-9]+[[:space:]]+DONE|^Done ' "$log" || tail -n 3 "$log"
    return 0
  fi
  echo "FAIL: fuzz target $target failed. Its output (libFuzzer's progress lines are left out; all is in $log):"
  grep -Ev '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)' "$log" || true
  local artifact
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  if [ -n "$artifact" ]; then
    echo
    echo "The input that failed: $artifact"
    echo "  reproduce:  cargo +nightly fuzz run --fuzz-dir fuzz --sanitizer $fuzz_sanitizer $target $artifact"
    echo "  print it:   cargo +nightly fuzz fmt --fuzz-dir fuzz $target $artifact   (or cat it: JSON text)"
    echo "  minimize:   cargo +nightly fuzz tmin --fuzz-dir fuzz --sanitizer $fuzz_sanitizer $target $artifact"
    echo "  keep it:    cp $artifact fuzz/regressions/$target/   (every fuzz run replays that folder first)"
  fi
  return 1
}

# Minimizes a fuzz corpus in place (cargo fuzz cmin: keeps a small set of inputs that reaches every
# edge the corpus reaches; -use_counters=0 ignores hit counts, else nearly every input of a deep
# target is kept), its output kept in LOG; on failure prints LOG and returns 1.
#   fuzz_cmin TARGET MAX_LEN LOG CORPUS_DIR
fuzz_cmin() {
  local target=$1 max_len=$2 log=$3 corpus=$4
  mkdir -p "$(dirname "$log")"
  if cargo +nightly fuzz cmin --fuzz-dir fuzz --sanitizer "$fuzz_sanitizer" "$target" "$corpus" -- -max_len="$max_len" -use_counters=0 >"$log" 2>&1; then
    echo "  $(find "$corpus" -type f | wc -l) entries left"
    return 0
  fi
  echo "FAIL: cargo fuzz cmin $target failed. Its output:"
  cat "$log"
  return 1
}

# The Node packages the tests use (playwright-core, binaryen's wasm-opt, ajv), from tests/package-lock.json.
ensure_node_deps() {
  command -v node >/dev/null || { echo "Node.js 20+ is required"; exit 1; }
  if [ ! -x tests/node_modules/.bin/wasm-opt ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
    (cd tests && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

# A Python virtual environment for outside test tools (Schemathesis, openapi-spec-validator),
# at the versions of tests/python-requirements.txt; reinstalled only when that file changes.
ensure_python_tools() {
  command -v python3 >/dev/null || { echo "Python 3.9+ is required"; exit 1; }
  local venv=tests/.venv stamp=tests/.venv/.requirements
  # A venv's scripts name their interpreter by absolute path: make it where the files really are
  # (CI links tests/.venv to a cache kept between clones).
  [ -L "$venv" ] && venv=$(readlink -f "$venv")
  if [ ! -x "$venv/bin/st" ] || ! "$venv/bin/st" --version >/dev/null 2>&1 || ! cmp -s tests/python-requirements.txt "$stamp"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r tests/python-requirements.txt
    cp tests/python-requirements.txt "$stamp"
  fi
}

# wasm-bindgen-cli at exactly the version the crates pin (0.2.130); without --locked (see TOOLCHAIN.md).
ensure_wasm_bindgen() {
  local want=0.2.130
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install wasm-bindgen-cli --version "$want"
  fi
}

# Debian's Chromium and ChromeDriver for the browser tests (never a downloaded browser).
ensure_chromium() {
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
    fi
  fi
}

# Trunk 0.21.14 (0.22 needs a newer rustc), built with the faster settings of TOOLCHAIN.md.
ensure_trunk() {
  if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "0.21.14" ]; then
    CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install --locked trunk --version 0.21.14
  fi
}
