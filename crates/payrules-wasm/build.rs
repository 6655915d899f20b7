//! Embeds every vendor's shared test files (scenarios, validation vectors and their snapshots, seed
//! examples, from `crates/payrules/data/<profile>/`) for the headless-browser tests, which cannot
//! read files at run time.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.to_string_lossy().ends_with(suffix)).collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The vendors with a data folder (`crates/payrules/data/<profile>/`), in registry order: the
/// registry is read from its one list, `crates/payrules/src/registry.rs`.
fn vendors(root: &Path) -> Vec<String> {
    let registry = std::fs::read_to_string(root.join("crates/payrules/src/registry.rs")).unwrap_or_default();
    registry
        .lines()
        .filter(|l| l.trim_end().ends_with("\";"))
        .filter_map(|l| l.trim().split_once(": ").map(|(m, _)| m))
        .filter(|m| !m.is_empty() && m.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
        .map(str::to_owned)
        .collect()
}

fn main() {
    // Read when the script runs, not baked in when it is compiled: cargo reuses a compiled build
    // script from a shared target directory for a checkout elsewhere (CI clones each run anew).
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    let root = manifest.join("../..").canonicalize().unwrap_or_default();
    let data = root.join("crates/payrules/data");
    println!("cargo:rerun-if-changed={}", data.display());
    println!("cargo:rerun-if-changed={}", root.join("crates/payrules/src/registry.rs").display());
    let vendors = vendors(&root);
    assert!(!vendors.is_empty(), "no vendors read from crates/payrules/src/registry.rs");
    let mut code = String::from(
        "/// (name, input JSON Lines, expected responses)\npub const SCENARIOS: &[(&str, &str, &str)] = &[\n",
    );
    for vendor in &vendors {
        let dir = data.join(vendor).join("scenarios");
        println!("cargo:rerun-if-changed={}", dir.display());
        for input in files(&dir, ".in.jsonl") {
            let output = PathBuf::from(input.to_string_lossy().replace(".in.jsonl", ".out.jsonl"));
            let file = input.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
            let name = format!("{vendor}/{file}");
            let _ = writeln!(
                code,
                "    ({name:?}, include_str!({:?}), include_str!({:?})),",
                input.display().to_string(),
                output.display().to_string()
            );
        }
    }
    code.push_str("];\n/// (profile, vectors JSON Lines, insta snapshot of their reports)\npub const VECTORS: &[(&str, &str, &str)] = &[\n");
    for vendor in &vendors {
        let _ = writeln!(
            code,
            "    ({vendor:?}, include_str!({:?}), include_str!({:?})),",
            data.join(vendor).join("vectors.jsonl").display().to_string(),
            data.join(vendor).join("vectors.snap").display().to_string()
        );
    }
    code.push_str("];\n");
    for (name, file, what) in [
        ("SEED_EXAMPLES", "examples.jsonl", "example requests (all valid)"),
        ("SEED_ORIGINALS", "originals.jsonl", "bodies that are not strict JSON"),
    ] {
        let _ = writeln!(
            code,
            "/// The seeds' {what}, every vendor's in registry order.\npub const {name}: &str = concat!("
        );
        for vendor in &vendors {
            let path = data.join(vendor).join("seeds").join(file);
            if path.exists() {
                let _ = writeln!(code, "    include_str!({:?}),", path.display().to_string());
            }
        }
        code.push_str(");\n");
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("shared_tests.rs");
    std::fs::write(out, code).unwrap_or_default();
}
