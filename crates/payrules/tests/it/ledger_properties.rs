//! Ledger invariants under random sequences of requests: no panic, every invariant of every
//! profile holds after every request (money conserved, relations intact), a refused request
//! leaves the snapshot byte-identical, and snapshot → restore → snapshot is identical.

use crate::common;

use payrules::ledger::{Ledger, SteppingClock};
use payrules::{Profile, Request};
use proptest::prelude::*;
use serde_json::Value;

/// Every request of the scenario files, the seed examples and the validation vectors.
fn pool() -> Vec<Request> {
    let mut out = Vec::new();
    for profile in Profile::ALL {
        let mut lines: Vec<String> = Vec::new();
        for f in common::scenario_inputs(profile) {
            lines.extend(std::fs::read_to_string(f).unwrap().lines().map(str::to_owned));
        }
        lines.extend(common::seed_lines(profile, "examples.jsonl"));
        for line in lines.iter().filter(|l| !l.trim().is_empty()) {
            out.push(Request::from_json(line).unwrap());
        }
        let vectors = std::fs::read_to_string(common::data(profile).join("vectors.jsonl")).unwrap();
        for line in vectors.lines().filter(|l| !l.trim().is_empty()) {
            let v: Value = serde_json::from_str(line).unwrap();
            if let Ok(r) = serde_json::from_value::<Request>(v["request"].clone()) {
                out.push(r);
            }
        }
    }
    out
}

fn check_sequence(pool: &[Request], picks: &[prop::sample::Index]) -> Result<(), TestCaseError> {
    let mut ledger = Ledger::sample(Box::new(SteppingClock::default()));
    prop_assert_eq!(ledger.world().check(), Ok(()));
    for pick in picks {
        let request = pick.get(pool);
        let before = ledger.snapshot();
        let response = ledger.handle(request);
        let after = ledger.snapshot();
        if response.status >= 400 {
            prop_assert_eq!(&before, &after, "refused ({}) but changed: {:?}", response.status, request);
        }
        if let Err(e) = ledger.world().check() {
            prop_assert!(false, "invariant broken after {:?} -> {}: {e}", request, response.status);
        }
    }
    let snapshot = ledger.snapshot();
    let restored = Ledger::restore(&snapshot, Box::new(SteppingClock::default())).unwrap();
    prop_assert_eq!(restored.snapshot(), snapshot);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_every_invariant(picks in prop::collection::vec(any::<prop::sample::Index>(), 1..60)) {
        let pool = pool();
        check_sequence(&pool, &picks)?;
    }
}

#[test]
fn every_sample_part_reads_strictly_and_every_vendor_has_one() {
    use payrules::ledger::{SAMPLE_PARTS, World};
    let ids: Vec<&str> = SAMPLE_PARTS.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, Profile::ALL.map(Profile::id));
    for (name, text) in SAMPLE_PARTS {
        // Each part alone, strictly, with the others from the sample: a broken part names itself.
        let parts: Vec<(&str, &str)> =
            SAMPLE_PARTS.iter().map(|&(n, t)| if n == name { (n, text) } else { (n, t) }).collect();
        if let Err(e) = World::from_parts(&parts) {
            panic!("data/{name}/sample.json does not read as the {name} state: {e}");
        }
    }
}

#[test]
fn the_sample_world_is_consistent_and_round_trips() {
    let ledger = Ledger::sample(Box::new(SteppingClock::default()));
    assert_eq!(ledger.world().check(), Ok(()));
    let snapshot = ledger.snapshot();
    let restored = Ledger::restore(&snapshot, Box::new(SteppingClock::default())).unwrap();
    assert_eq!(restored.snapshot(), snapshot);
    assert_eq!(restored.world(), ledger.world());
}

#[test]
fn damaged_snapshots_are_refused_whole() {
    let good = Ledger::sample(Box::new(SteppingClock::default())).snapshot();
    let clock = || Box::new(SteppingClock::default());
    for (damage, why) in [
        (good.replacen("payrules-ledger", "something-else", 1), "not a payrules ledger snapshot"),
        (good.replacen("\"version\":1", "\"version\":2", 1), "version"),
        (good[..good.len() / 2].to_owned(), "EOF"),
        (good.replacen("\"company_tokens\"", "\"company_tokenz\"", 1), "unknown field"),
        (String::new(), "EOF"),
    ] {
        let err = Ledger::restore(&damage, clock()).unwrap_err();
        assert!(err.to_string().contains(why), "{why}: {err}");
    }
}

#[test]
fn a_world_from_its_parts_is_the_sample_world_and_broken_parts_are_refused() {
    use payrules::ledger::{SAMPLE_PARTS, World};
    let world = World::from_parts(&SAMPLE_PARTS).unwrap();
    assert_eq!(world, World::sample());
    let mut broken = SAMPLE_PARTS;
    broken[0].1 = "{\"company_tokens\": 5}";
    let err = World::from_parts(&broken).unwrap_err().to_string();
    assert!(err.contains("`komet`") && err.contains("invalid type"), "{err}");
    assert!(World::from_parts(&SAMPLE_PARTS[1..]).unwrap_err().to_string().contains("komet"));
    let mut twice = SAMPLE_PARTS.to_vec();
    twice.push(SAMPLE_PARTS[0]);
    assert!(World::from_parts(&twice).unwrap_err().to_string().contains("twice"));
}
