//! The `payrules` binary's tests, in one test binary (one module per former test file; e.g.
//! `cargo test -p payrules-cli --test it serve::` runs one of them).

mod cli;
mod common;
mod ledger;
mod proxy;
mod serve;
mod store;
