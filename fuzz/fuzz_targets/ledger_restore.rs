//! Fuzzes `Ledger::restore` with any text (bytes that are not UTF-8 are no snapshot and skipped):
//! it never panics, and a snapshot it accepts gives a world that passes every check and whose
//! snapshot restores to the same snapshot, byte for byte. The corpus starts from real snapshots
//! (the sample world, and the world after each scenario file; see `scripts/test.sh`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use payrules::ledger::{Ledger, SteppingClock};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(ledger) = Ledger::restore(text, Box::new(SteppingClock::default())) else { return };
    if let Err(e) = ledger.world().check() {
        panic!("restore accepted a world that fails its checks: {e}");
    }
    let snapshot = ledger.snapshot();
    let again = match Ledger::restore(&snapshot, Box::new(SteppingClock::default())) {
        Ok(again) => again,
        Err(e) => panic!("a restored ledger's snapshot does not restore: {e}\nsnapshot: {snapshot}"),
    };
    assert!(again.snapshot() == snapshot, "snapshot -> restore -> snapshot differs\nfirst: {snapshot}");
    assert!(again.world() == ledger.world(), "the world restored twice differs from the world restored once");
});
