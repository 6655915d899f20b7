//! The vendors, one folder each, named once in the registry (`registry.rs`).
//!
//! A vendor's folder `vendors/<id>/` holds everything about it, one concern a file:
//! - `operations.rs`: its operations as data (method, vendor path, fields, cross-field rules),
//!   declared with `operations!`, which gives the table `OPERATIONS` and the enum `Op`;
//! - `lifecycle.rs`: its status enum and `LIFECYCLE`, the `(from, action, to)` table;
//! - `records.rs`: its records (`State`) and their invariants;
//! - `wire.rs`: its response and refusal shapes;
//! - `handlers.rs`: what each operation does to the records;
//! - `views.rs`: its payments as people see them, action requests, credential removal;
//! - `mod.rs`: the vendor's type (named as in the registry) implementing the vendor contract
//!   (`ledger::vendor::Vendor`), and the module documentation: failure shapes and decisions.
//!
//! Its data lives in `data/<id>/` of this crate: `sample.json` (its part of the sample world),
//! `vectors.jsonl` and `vectors.snap`, `scenarios/`, `seeds/`.
//!
//! The registry requires of `vendors::<id>`: `OPERATIONS`, `LIFECYCLE`, `State` and the vendor type.

// The modules are declared by hand (not from the registry) so that rustfmt sees their files; the
// compiler checks this list against the registry, which names `vendors::<id>` for every vendor.
pub mod activeplatform;
pub mod crmcom;
pub mod komet;
pub mod logisense;
pub mod plentymarkets;
