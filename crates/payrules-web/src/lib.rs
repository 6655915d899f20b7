//! The payrules console: compose, check and run payment requests against five APIs, in the browser.
//!
//! Components read and write signals and render; every rule comes from the core (`validate_json`,
//! the operation tables, the lifecycle tables, `ledger::view`'s lists over the ledger's views). The
//! ledger runs in the page — in its own WebAssembly module, loaded beside the first paint, which
//! shows the sample world's views computed at build time (or the views saved with the ledger) —
//! starting from the sample world, saved in localStorage before a change is reported, or is
//! reached over HTTP (`payrules serve`).
#![cfg(target_arch = "wasm32")]

mod check;
pub mod diagram;
pub mod form;
mod history;
mod ledger;
pub mod read;
mod sandbox;
mod state;
mod ui;

pub use state::{Console, LedgerState, Mode, Sent};
pub use ui::{App, lowercase};
