//! Embeds the shared test files (scenarios, validation vectors and their snapshots, seed examples)
//! for the headless-browser tests, which cannot read files at run time.

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

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_default();
    let scenarios = root.join("tests/scenarios");
    let vectors = root.join("crates/payrules/tests/vectors");
    let snapshots = root.join("crates/payrules/tests/snapshots");
    let seeds = root.join("tests/seeds");
    for dir in [&scenarios, &vectors, &snapshots, &seeds] {
        println!("cargo:rerun-if-changed={}", dir.display());
    }
    let mut code = String::from(
        "/// (name, input JSON Lines, expected responses)\npub const SCENARIOS: &[(&str, &str, &str)] = &[\n",
    );
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&scenarios)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs {
        println!("cargo:rerun-if-changed={}", dir.display());
        for input in files(&dir, ".in.jsonl") {
            let output = PathBuf::from(input.to_string_lossy().replace(".in.jsonl", ".out.jsonl"));
            let name = input.strip_prefix(&scenarios).unwrap_or(&input).display().to_string();
            let _ = writeln!(
                code,
                "    ({name:?}, include_str!({:?}), include_str!({:?})),",
                input.display().to_string(),
                output.display().to_string()
            );
        }
    }
    code.push_str("];\n/// (profile, vectors JSON Lines, insta snapshot of their reports)\npub const VECTORS: &[(&str, &str, &str)] = &[\n");
    for file in files(&vectors, ".jsonl") {
        let profile = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let snapshot = snapshots.join(format!("vectors__{profile}.snap"));
        let _ = writeln!(
            code,
            "    ({profile:?}, include_str!({:?}), include_str!({:?})),",
            file.display().to_string(),
            snapshot.display().to_string()
        );
    }
    code.push_str("];\n");
    let _ = writeln!(
        code,
        "/// The seeds' example requests (all valid).\npub const SEED_EXAMPLES: &str = include_str!({:?});",
        seeds.join("examples.jsonl").display().to_string()
    );
    let _ = writeln!(
        code,
        "/// The seeds' bodies that are not strict JSON.\npub const SEED_ORIGINALS: &str = include_str!({:?});",
        seeds.join("originals.jsonl").display().to_string()
    );
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("shared_tests.rs");
    std::fs::write(out, code).unwrap_or_default();
}
