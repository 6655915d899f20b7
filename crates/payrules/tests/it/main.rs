//! The core's integration tests, in one test binary (one module per former test file, so one
//! link instead of fifteen; e.g. `cargo test -p payrules --test it vectors::` runs one of them).

mod common;
mod fast;
mod generated;
mod json_reader;
mod layers;
mod ledger_properties;
mod ledger_scenarios;
mod ledger_seeds;
mod lifecycle;
mod patterns;
mod properties;
mod registry;
mod seeds;
mod vectors;
mod views;
