//! Where the tests find each vendor's data: `crates/payrules/data/<profile id>/` (see its README),
//! derived from the registry's profiles, never from a hand-kept list.
#![allow(dead_code)] // each test module uses the part it needs

pub mod valid;

use std::path::{Path, PathBuf};

use payrules::Profile;

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A vendor's data folder.
pub fn data(profile: Profile) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(profile.id())
}

/// The files of `dir` whose names end with `suffix`, sorted; none when `dir` does not exist.
pub fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.map(|e| e.unwrap().path()).filter(|p| p.to_string_lossy().ends_with(suffix)).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// A vendor's scenario inputs (`scenarios/*.in.jsonl`), sorted.
pub fn scenario_inputs(profile: Profile) -> Vec<PathBuf> {
    files(&data(profile).join("scenarios"), ".in.jsonl")
}

/// The lines of a vendor's seed file (`seeds/examples.jsonl`, `seeds/originals.jsonl`); none when absent.
pub fn seed_lines(profile: Profile, name: &str) -> Vec<String> {
    std::fs::read_to_string(data(profile).join("seeds").join(name))
        .map(|t| t.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// insta settings that keep a vendor's snapshots in its data folder, named `<name>.snap`.
pub fn snapshots_in_data(profile: Profile) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(data(profile));
    settings.set_prepend_module_to_snapshot(false);
    settings
}
