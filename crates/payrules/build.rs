//! Lists every vendor's scenario requests (`data/<id>/scenarios/*.in.jsonl`) for the OpenAPI
//! documents, which describe each operation's answers from the engine's answers to them
//! (`src/openapi.rs`). Nothing else of the crate reads the generated list.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    // Read when the script runs (not baked in when it is compiled).
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    let data = manifest.join("data");
    println!("cargo:rerun-if-changed=data");
    let mut files = Vec::new();
    for vendor in std::fs::read_dir(&data).into_iter().flatten().flatten() {
        let id = vendor.file_name().to_string_lossy().into_owned();
        for f in std::fs::read_dir(vendor.path().join("scenarios")).into_iter().flatten().flatten() {
            let path = f.path();
            if path.to_string_lossy().ends_with(".in.jsonl") {
                files.push((id.clone(), path));
            }
        }
    }
    files.sort();
    let mut code = String::from("/// `(profile id, request lines)` of every scenario, in file order.\n");
    code.push_str("pub(crate) static SCENARIOS: &[(&str, &str)] = &[\n");
    // Each file by its path inside the crate, joined to `CARGO_MANIFEST_DIR` when the crate is
    // compiled: a target directory shared by checkouts in other places reuses this list (the
    // files did not change) but must read the files of the checkout being built.
    for (id, path) in &files {
        let inside = path.strip_prefix(&manifest).unwrap_or(path).to_string_lossy().replace('\\', "/");
        let _ = writeln!(code, "    ({id:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/{inside}\"))),");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("scenarios.rs");
    if let Err(e) = std::fs::write(&out, code) {
        panic!("cannot write {}: {e}", out.display());
    }
}
