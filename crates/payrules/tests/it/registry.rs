//! The registry is the one list of vendors: everything that lists them must list exactly the
//! registered ones. The compiler checks the lists generated in the core; these tests check the
//! rest — the data folders, the snapshot's parts, credential removal, every derived view — so a
//! sixth vendor that is registered but incomplete fails here, with what is missing.

use crate::common;

use std::collections::BTreeSet;

use payrules::Profile;
use payrules::ledger::{Ledger, SAMPLE_PARTS, SteppingClock, World, view};
use serde_json::Value;

fn ids() -> Vec<&'static str> {
    Profile::ALL.iter().map(|p| p.id()).collect()
}

#[test]
fn every_registered_vendor_has_its_data_folder_and_no_other_folder_is_there() {
    let root = common::data(Profile::ALL[0]).parent().unwrap().to_path_buf();
    let folders: BTreeSet<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let registered: BTreeSet<String> = ids().into_iter().map(str::to_owned).collect();
    assert_eq!(folders, registered, "data/ folders (left) and registered profiles (right) differ");
    let mut missing = Vec::new();
    for profile in Profile::ALL {
        let dir = common::data(profile);
        for file in ["sample.json", "vectors.jsonl", "vectors.snap", "lifecycle.snap", "seeds/examples.jsonl"] {
            if !dir.join(file).is_file() {
                missing.push(format!("data/{profile}/{file}"));
            }
        }
        let inputs = common::scenario_inputs(profile);
        if inputs.is_empty() {
            missing.push(format!("data/{profile}/scenarios/*.in.jsonl"));
        }
        for input in inputs {
            let output = input.to_string_lossy().replace(".in.jsonl", ".out.jsonl");
            if !std::path::Path::new(&output).is_file() {
                missing.push(output);
            }
        }
    }
    assert!(missing.is_empty(), "missing: {missing:#?}");
}

#[test]
fn the_world_has_one_part_per_registered_vendor_in_registry_order() {
    let world = serde_json::to_value(World::default()).unwrap();
    let keys: Vec<&str> = world.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ids());
    assert_eq!(SAMPLE_PARTS.map(|(id, _)| id).to_vec(), ids());
}

#[test]
fn every_vendor_has_operations_a_lifecycle_and_payments_in_the_sample() {
    let world = World::sample();
    for profile in Profile::ALL {
        assert!(!profile.operations().is_empty(), "{profile}: no operations");
        for op in profile.operations() {
            assert!(op.id.starts_with(&format!("{profile}.")), "{}: not named after {profile}", op.id);
        }
        let table = profile.lifecycle().table();
        assert_eq!(table.profile, profile.id());
        assert!(!table.states.is_empty(), "{profile}: no statuses");
        assert!(!view::payments(&world, profile).is_empty(), "{profile}: the sample world has no payment");
    }
}

/// The credentials of the sample world, found through the one generic door that uses them: the
/// request each lifecycle action sends (it fills a credential of the world in).
fn credentials(world: &World, profile: Profile) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for payment in view::payments(world, profile) {
        for action in profile.lifecycle().allowed_actions(&payment.status).unwrap_or_default() {
            let Ok(request) = view::action_request(world, profile, &payment.key, action.action) else { continue };
            out.extend(request.query.iter().filter(|(k, _)| k.contains("token")).map(|(_, v)| v.clone()));
            for (name, value) in &request.headers {
                if name.eq_ignore_ascii_case("authorization") {
                    out.insert(value.trim_start_matches("Bearer ").to_owned());
                }
            }
            if let Some(body) = request.body.as_object() {
                for key in ["token", "authenticationToken"] {
                    if let Some(Value::String(s)) = body.get(key) {
                        out.insert(s.clone());
                    }
                }
            }
        }
    }
    out.retain(|c| c.len() >= 4);
    out
}

#[test]
fn every_vendors_credentials_are_removed_from_exports() {
    let ledger = Ledger::sample(Box::new(SteppingClock::default()));
    let exported = ledger.snapshot_without_tokens();
    let full = ledger.snapshot();
    for profile in Profile::ALL {
        let found = credentials(ledger.world(), profile);
        assert!(!found.is_empty(), "{profile}: no action request carries a credential of the sample world");
        for credential in found {
            assert!(full.contains(&credential), "{profile}: `{credential}` is not in the world");
            assert!(!exported.contains(&credential), "{profile}: a credential survives without_tokens");
        }
        let redacted = view::without_tokens(ledger.world());
        assert!(credentials(&redacted, profile).is_empty(), "{profile}: a credential survives without_tokens");
    }
}

#[test]
fn an_empty_world_is_consistent_and_round_trips() {
    // Every vendor's empty part (`Ledger::empty`, a sandbox created empty) must restore.
    let empty = Ledger::empty(Box::new(SteppingClock::default()));
    assert_eq!(empty.world().check(), Ok(()));
    let restored = Ledger::restore(&empty.snapshot(), Box::new(SteppingClock::default())).unwrap();
    assert_eq!(restored.snapshot(), empty.snapshot());
}
