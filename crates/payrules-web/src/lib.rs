//! The payrules console: compose, check and run payment requests against five APIs, in the browser.
//!
//! Components read and write signals and render; every rule comes from the core (`validate_json`,
//! the operation tables, the lifecycle tables, `ledger::view`). The ledger runs in the page
//! (starting from the sample world, saved in localStorage before a change is reported) or is
//! reached over HTTP (`payrules serve`).
#![cfg(target_arch = "wasm32")]

pub mod diagram;
pub mod form;
mod state;
mod ui;

pub use state::{Console, Mode, Sent};
pub use ui::App;
