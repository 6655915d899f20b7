//! Lays the five lifecycles out for the console's diagram (`payrules_diagram::layout`, layout-rs)
//! and writes them as Rust data into `$OUT_DIR/diagrams.rs` (`src/diagram.rs` includes it): the
//! layout runs here, natively, so none of its code is compiled into the console's WebAssembly.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let diagrams: Vec<_> =
        payrules::Profile::ALL.into_iter().map(|p| payrules_diagram::layout(&p.lifecycle().table())).collect();
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("diagrams.rs");
    if let Err(e) = std::fs::write(&out, payrules_diagram::rust_source(&diagrams)) {
        panic!("cannot write {}: {e}", out.display());
    }
}
