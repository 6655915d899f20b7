# Shared helpers for scripts/*.sh: idempotent installs and readable steps. Sourced, not run.

step() { printf '\n=== %s ===\n' "$*"; }

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
