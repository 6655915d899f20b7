//! The views the console reads from this module (`Ledger.consoleView`, and the sample world's,
//! written at build time): what crosses as JSON text reads back into the same payments, the same
//! lists and the same action requests, byte for byte, as the views over the world itself.
#![cfg(not(target_arch = "wasm32"))]

use payrules::Profile;
use payrules::ledger::view::{self, ListQuery, WorldView};
use payrules::ledger::{Ledger, SteppingClock, Timestamp};

fn worlds() -> Vec<(String, payrules::ledger::World)> {
    let clock = || Box::new(SteppingClock::new(Timestamp::parse("2024-01-01T09:00:00Z").unwrap(), 1000));
    let mut out = vec![("sample".to_owned(), payrules::ledger::World::sample())];
    // A world after a scenario of every vendor: created, posted, cancelled, batch-synchronized payments.
    let mut ledger = Ledger::sample(clock());
    for profile in Profile::ALL {
        let dir = format!("{}/../payrules/data/{}/scenarios", env!("CARGO_MANIFEST_DIR"), profile.id());
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files.iter().filter(|f| f.to_string_lossy().ends_with(".in.jsonl")) {
            for line in std::fs::read_to_string(file).unwrap().lines().filter(|l| !l.trim().is_empty()) {
                ledger.handle_json(line);
            }
        }
    }
    out.push(("after the scenarios".to_owned(), ledger.world().clone()));
    out.push(("without credentials".to_owned(), ledger.world().without_tokens()));
    out
}

#[test]
fn the_console_view_reads_back_as_the_views_of_the_world() {
    for (name, world) in worlds() {
        let text = serde_json::to_string(&view::world_view(&world)).unwrap();
        let read: WorldView = serde_json::from_str(&text).unwrap();
        assert_eq!(read.profiles.len(), Profile::ALL.len(), "{name}");
        assert_eq!(read.komet_batch_token, payrules::vendors::komet::batch_token(Some(&world.komet), None), "{name}");
        for (profile, part) in Profile::ALL.into_iter().zip(&read.profiles) {
            assert_eq!(part.profile, profile.id(), "{name}");
            assert_eq!(part.payments, view::payments(&world, profile), "{name}: {profile}");
            assert_eq!(part.actions.len(), part.payments.len(), "{name}: {profile}");
            for query in [
                ListQuery { per_page: 8, ..ListQuery::default() },
                ListQuery { page: 1, per_page: 3, search: "a".to_owned(), ..ListQuery::default() },
            ] {
                assert_eq!(
                    view::list_of(part.payments.clone(), profile, &query),
                    view::list(&world, profile, &query),
                    "{name}: {profile}"
                );
            }
            for (payment, actions) in part.payments.iter().zip(&part.actions) {
                let expected = view::actions(&world, profile, &payment.key);
                assert_eq!(actions.len(), expected.len(), "{name}: {profile} {}", payment.key);
                for (got, want) in actions.iter().zip(expected) {
                    assert_eq!(got.action, want.action);
                    match (&got.verdict, &want.verdict) {
                        // The request's text, as the composer receives it, is the same bytes.
                        (Ok(got), Ok(want)) => {
                            assert_eq!(serde_json::to_string(got).unwrap(), serde_json::to_string(want).unwrap());
                        }
                        (Err(got), Err(want)) => assert_eq!(got, want),
                        (got, want) => panic!("{name}: {profile} {}: {got:?} against {want:?}", payment.key),
                    }
                }
            }
        }
    }
}
