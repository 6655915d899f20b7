//! Fuzzes the stateful ledger with sequences of requests. The input is JSON Lines: each line is
//! one request's JSON text, handed in order to one ledger on the sample world (blank lines are
//! skipped, bytes that are not UTF-8 are replaced), so a scenario file is a corpus entry as it is.
//! After every request every invariant of every profile holds; a refused request (status 400 or
//! more: every handler's `Err` path answers 4xx and every `Ok` path 200, see `apply` in
//! `ledger/mod.rs`) leaves the snapshot byte-identical; and at the end snapshot → restore →
//! snapshot is identical. Nothing panics.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use payrules::ledger::{Ledger, SteppingClock, World};

/// The sample world, read once (the same world `Ledger::sample` starts from).
fn sample() -> &'static World {
    static SAMPLE: OnceLock<World> = OnceLock::new();
    SAMPLE.get_or_init(World::sample)
}

fuzz_target!(|data: &[u8]| {
    let mut ledger = Ledger::with_world(sample().clone(), Box::new(SteppingClock::default()));
    // The snapshot before the next request: one serialization a request (a refused request leaves
    // it as it is, so it is still the snapshot before the one after).
    let mut before = ledger.snapshot();
    for line in data.split(|b| *b == b'\n') {
        let line = String::from_utf8_lossy(line);
        if line.trim().is_empty() {
            continue;
        }
        let response = ledger.handle_json(&line);
        let after = ledger.snapshot();
        if response.status >= 400 {
            assert!(
                after == before,
                "refused ({}) but the ledger changed: {line}\nresponse: {}",
                response.status,
                response.body
            );
        }
        if let Err(e) = ledger.world().check() {
            panic!("invariant broken after {line} -> {}: {e}\nresponse: {}", response.status, response.body);
        }
        before = after;
    }
    let restored = match Ledger::restore(&before, Box::new(SteppingClock::default())) {
        Ok(restored) => restored,
        Err(e) => panic!("the ledger's own snapshot does not restore: {e}"),
    };
    assert!(restored.snapshot() == before, "snapshot -> restore -> snapshot differs");
    assert!(restored.world() == ledger.world(), "the restored world differs from the ledger's");
});
