//! The TypeScript declarations of the npm package's data types, generated from the Rust types
//! (ts-rs): a field added in Rust appears in the package without a hand edit. scripts/build-npm.sh
//! writes the output to the package's `types.d.ts`, which `index.d.ts` re-exports.
//!
//! `cargo run -p payrules --example ts_types --features ts`

use std::fmt::Write as _;

use payrules::lifecycle::AllowedAction;
use payrules::{Code, Profile, Report, Request, Response, Severity, Violation};
use ts_rs::{Config, TS};

fn main() {
    let cfg = Config::default();
    let ids: Vec<String> = Profile::ALL.iter().map(|p| format!("'{}'", p.id())).collect();
    let mut out = String::from(
        "// Generated from the Rust types of crates/payrules by `cargo run -p payrules --example ts_types --features ts`\n\
         // (scripts/build-npm.sh): do not edit.\n\n",
    );
    out.push_str("/** A registered profile's id (the registry, crates/payrules/src/registry.rs). */\n");
    let _ = write!(out, "export type ProfileId = {};\n\n", ids.join(" | "));
    for decl in [
        Code::decl(&cfg),
        Severity::decl(&cfg),
        Violation::decl(&cfg),
        Report::decl(&cfg),
        Request::decl(&cfg),
        Response::decl(&cfg),
        AllowedAction::decl(&cfg),
    ] {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    print!("{}", out.trim_end());
    println!();
}
