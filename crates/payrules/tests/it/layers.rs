//! The core's layers, checked: no module uses one above it, and no vendor uses another vendor.
//!
//! Layers, lowest first (ARCHITECTURE.md draws them):
//! 0. the vocabulary: `json`, `pointer`, `report`, `money`, `datetime`, `request`, `rules`,
//!    `lifecycle`, `operation`, `profile`, `registry`;
//! 1. each vendor's tables: `vendors/<id>/operations.rs` and `lifecycle.rs`;
//! 2. validation: `profiles` (routing and checking), `fast` (the one-pass verdict) and `vendors/mod.rs`;
//! 3. the ledger's shared parts: `ledger/time.rs`, `shape.rs`, `call.rs`, `vendor.rs`, `table.rs`,
//!    `de.rs`;
//! 4. each vendor's ledger: the other files of `vendors/<id>/`;
//! 5. the ledger and its views: `ledger/mod.rs`, `ledger/view.rs`;
//! 6. the crate's front: `generate.rs`, `lib.rs`, `openapi.rs` (the tables and the engine's answers
//!    written as OpenAPI), `credentials.rs` and `curl.rs` (requests routed, read and written for people).
//!
//! A file's references are its `crate::…` paths (an item re-exported by a `mod.rs` or `lib.rs`
//! counts where it is defined) and, inside a vendor's folder, its `super::…` paths.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every source file, by its path below `src/` (`vendors/komet/handlers.rs`).
fn sources() -> BTreeMap<String, String> {
    fn walk(dir: &Path, base: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, base, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let name = path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(name, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&src(), &src(), &mut out);
    out
}

fn layer(file: &str) -> u8 {
    let vocabulary = [
        "json.rs",
        "pointer.rs",
        "report.rs",
        "money.rs",
        "currency_table.rs",
        "datetime.rs",
        "request.rs",
        "rules.rs",
        "lifecycle.rs",
        "operation.rs",
        "profile.rs",
        "registry.rs",
    ];
    if vocabulary.contains(&file) {
        return 0;
    }
    if let Some(rest) = file.strip_prefix("vendors/") {
        return match rest.split_once('/') {
            Some((_, "tests.rs")) => u8::MAX, // a vendor's unit tests may use the whole crate
            None => 2,                        // vendors/mod.rs
            Some((_, "operations.rs" | "lifecycle.rs")) => 1,
            Some(_) => 4,
        };
    }
    match file {
        "profiles/mod.rs" | "fast.rs" => 2,
        "ledger/time.rs" | "ledger/shape.rs" | "ledger/call.rs" | "ledger/vendor.rs" | "ledger/table.rs"
        | "ledger/de.rs" => 3,
        "ledger/mod.rs" | "ledger/view.rs" => 5,
        "generate.rs" | "lib.rs" | "openapi.rs" | "credentials.rs" | "curl.rs" | "compose.rs" => 6,
        other => panic!("{other}: no layer; add it to tests/it/layers.rs and ARCHITECTURE.md"),
    }
}

/// The file a module path names (`ledger::call` → `ledger/call.rs`, `ledger` → `ledger/mod.rs`,
/// an item of the crate root → `lib.rs`).
fn module_file(files: &BTreeMap<String, String>, segments: &[&str]) -> Option<String> {
    (1..=segments.len())
        .rev()
        .find_map(|n| {
            let path = segments[..n].join("/");
            [format!("{path}.rs"), format!("{path}/mod.rs")].into_iter().find(|f| files.contains_key(f))
        })
        .or_else(|| Some("lib.rs".to_owned()))
}

/// The code of a file without its comments (a doc link is no import) and without its unit tests
/// (an inline `mod tests { … }`, the last item of its file by convention: tests may use the
/// whole crate).
fn code(text: &str) -> String {
    text.lines()
        .take_while(|l| !l.trim_start().starts_with("mod tests {"))
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where a `crate::` path's item is defined: through the `pub use`/`pub(crate) use` re-exports of
/// the module it names.
fn resolve(files: &BTreeMap<String, String>, path: &[&str]) -> Option<String> {
    let file = module_file(files, path)?;
    let depth = file.trim_end_matches(".rs").trim_end_matches("/mod").split('/').count();
    let item = path.get(if file == "lib.rs" { 0 } else { depth })?;
    // An item re-exported here: follow the `use` that names it.
    for line in files[&file].lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("pub use ").or_else(|| line.strip_prefix("pub(crate) use ")) else {
            continue;
        };
        let (from, names): (&str, Vec<&str>) = if let Some((from, names)) = rest.split_once("::{") {
            (from, names.trim_end_matches("};").split(',').map(str::trim).collect())
        } else {
            let rest = rest.trim_end_matches(';');
            let Some((from, name)) = rest.rsplit_once("::") else {
                // `pub(crate) use read_struct;`: a macro of this file made reachable by path.
                continue;
            };
            (from, vec![name])
        };
        if names.iter().any(|n| *n == *item || n.rsplit("::").next() == Some(*item)) {
            let base = if file == "lib.rs" {
                String::new()
            } else {
                file.trim_end_matches(".rs").trim_end_matches("/mod").replace('/', "::")
            };
            let from = if let Some(absolute) = from.strip_prefix("crate::") {
                absolute.to_owned()
            } else {
                let relative = from.strip_prefix("self::").unwrap_or(from);
                if base.is_empty() { relative.to_owned() } else { format!("{base}::{relative}") }
            };
            let mut next: Vec<&str> = from.split("::").filter(|s| !s.is_empty()).collect();
            next.push(item);
            return resolve(files, &next).or(Some(file));
        }
    }
    Some(file)
}

/// The `crate::a::b::C` paths in a text, as segments (macro fragments like `$module` stay).
fn crate_paths(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        let path: String =
            rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':' || *c == '$').collect();
        let mut segments: Vec<String> = path.split("::").filter(|s| !s.is_empty()).map(str::to_owned).collect();
        if rest[path.len()..].starts_with('{') {
            // `crate::a::{B, c::D}`: each name of the group.
            let group: String = rest[path.len() + 1..].chars().take_while(|c| *c != '}').collect();
            for name in group.split(',').map(str::trim).filter(|n| !n.is_empty() && *n != "self") {
                let mut full = segments.clone();
                full.extend(name.split(" as ").next().unwrap_or(name).split("::").map(str::to_owned));
                out.push(full);
            }
            continue;
        }
        segments.retain(|s| !s.is_empty());
        out.push(segments);
    }
    out
}

#[test]
fn no_module_uses_one_above_it_and_no_vendor_uses_another() {
    let files = sources();
    let vendors: Vec<String> =
        files.keys().filter_map(|f| f.strip_prefix("vendors/")?.strip_suffix("/mod.rs").map(str::to_owned)).collect();
    assert!(vendors.len() >= 5, "{vendors:?}");
    let mut wrong = Vec::new();
    for (file, text) in &files {
        let text = &code(text);
        let own = layer(file);
        let own_vendor = file.strip_prefix("vendors/").and_then(|r| r.split_once('/')).map(|(v, _)| v.to_owned());
        for path in crate_paths(text) {
            let mut segments: Vec<&str> = path.iter().map(String::as_str).collect();
            // `crate::vendors::$module::…` in a registry-driven macro: any vendor's file of that name.
            let any_vendor = segments.get(1) == Some(&"$module");
            if segments.first() == Some(&"vendors") && segments.len() > 1 {
                if any_vendor {
                    segments[1] = vendors[0].as_str();
                } else if let Some(v) = &own_vendor
                    && segments[1] != v
                {
                    wrong.push(format!("{file}: uses another vendor: crate::{}", path.join("::")));
                }
            }
            let Some(target) = resolve(&files, &segments) else { continue };
            if layer(&target) > own {
                wrong.push(format!(
                    "{file} (layer {own}) uses crate::{} from {target} (layer {})",
                    path.join("::"),
                    layer(&target)
                ));
            }
        }
        if let Some(vendor) = &own_vendor {
            for (at, _) in text.match_indices("super::") {
                let name: String = text[at + 7..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                let target = format!("vendors/{vendor}/{name}.rs");
                if files.contains_key(&target) && layer(&target) > own {
                    wrong.push(format!("{file} (layer {own}) uses super::{name} (layer {})", layer(&target)));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn the_checker_sees_a_wrong_import() {
    // The check must be able to fail: a vendor's table using its own handlers is caught.
    let mut files = sources();
    let ops = files.get_mut("vendors/komet/operations.rs").unwrap();
    ops.push_str("\nuse super::handlers;\nuse crate::ledger::Ledger;\n");
    let text = code(&files["vendors/komet/operations.rs"]);
    let uses_ledger = crate_paths(&text).iter().any(|p| {
        let segments: Vec<&str> = p.iter().map(String::as_str).collect();
        resolve(&files, &segments).is_some_and(|t| layer(&t) > layer("vendors/komet/operations.rs"))
    });
    assert!(uses_ledger);
    assert_eq!(layer("vendors/komet/handlers.rs"), 4);
}
