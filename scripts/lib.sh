# Shared helpers for scripts/*.sh: idempotent installs and readable steps. Sourced, not run.

step() { printf '\n=== %s ===\n' "$*"; }

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

# cargo-fuzz for the nightly toolchain; returns 1 when there is no nightly.
ensure_cargo_fuzz() {
  rustup toolchain list | grep -q '^nightly' || return 1
  if ! cargo fuzz --version >/dev/null 2>&1; then
    CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install cargo-fuzz --version 0.13.2 --locked
  fi
}

# The Node packages the tests use (playwright-core, binaryen's wasm-opt, ajv), from tests/package-lock.json.
ensure_node_deps() {
  command -v node >/dev/null || { echo "Node.js 20+ is required"; exit 1; }
  if [ ! -x tests/node_modules/.bin/wasm-opt ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
    (cd tests && npm ci --no-audit --no-fund --loglevel=error)
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
