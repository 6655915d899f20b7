//! Prints every vendor's payment lifecycle as a Mermaid state diagram.
//!
//! `cargo run -p payrules --example lifecycles > lifecycles.md`

use payrules::Profile;

fn main() {
    for profile in Profile::ALL {
        println!("## {}\n\n```mermaid\n{}```\n", profile.vendor(), profile.lifecycle().mermaid());
    }
}
