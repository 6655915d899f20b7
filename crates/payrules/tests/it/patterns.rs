//! The vendors' regexes, read the way the vendor means them: each hand-written matcher agrees with
//! its pattern in Rust's regex dialect, and the PCRE traps are pinned down.

use payrules::Profile;
use payrules::rules::{Field, Pattern, Ty};
use proptest::prelude::*;

fn collect(fields: &'static [Field], out: &mut Vec<&'static Pattern>) {
    for f in fields {
        match &f.ty {
            Ty::Pattern(p) if !out.iter().any(|q| std::ptr::eq(*q, *p)) => out.push(p),
            Ty::List { item, .. } => collect(item, out),
            Ty::Object { fields } => collect(fields, out),
            _ => {}
        }
    }
}

fn all_patterns() -> Vec<&'static Pattern> {
    let mut out = Vec::new();
    for p in Profile::ALL {
        for op in p.operations() {
            collect(op.params, &mut out);
            collect(op.query, &mut out);
            if let payrules::profiles::Body::Json(f) | payrules::profiles::Body::JsonOrForm(f) = op.body {
                collect(f, &mut out);
            }
        }
    }
    out
}

#[test]
fn the_plentymarkets_amount_trap() {
    let amount = &payrules::vendors::plentymarkets::AMOUNT;
    assert!(amount.matches("12.3400"));
    for bad in ["12.34", "12.34003400", "1234567890.0000", "12,3400", ".3400", "12.3400\n", "-1.0000", "1e3"] {
        assert!(!amount.matches(bad), "{bad:?}");
    }
    // The published text in Rust's dialect means `([0-9]{4})+`: it would let 12.34003400 through.
    let literal = regex_lite::Regex::new(r"^[0-9]{1,9}[\.][0-9]{4}+$").unwrap();
    assert!(literal.is_match("12.34003400"), "the trap we guard against");
    // The published status pattern lets 20 through; the matcher does too, and the value check refuses it.
    let status = &payrules::vendors::plentymarkets::STATUS;
    assert!(status.matches("20") && !status.known.iter().any(|(v, _)| *v == "20"));
}

proptest! {
    #[test]
    fn matchers_agree_with_their_rust_regex(s in "[0-9A-Za-z.\\-+ ]{0,14}", pick in 0usize..64) {
        let patterns = all_patterns();
        let p = patterns[pick % patterns.len()];
        let re = regex_lite::Regex::new(p.rust_regex).unwrap();
        prop_assert_eq!(p.matches(&s), re.is_match(&s), "{} on {:?}", p.published, s);
    }

    #[test]
    fn matchers_agree_on_numeric_text(int in "[0-9]{0,11}", frac in "[0-9]{0,6}", dot in any::<bool>(), pick in 0usize..64) {
        let s = if dot { format!("{int}.{frac}") } else { int };
        let patterns = all_patterns();
        let p = patterns[pick % patterns.len()];
        let re = regex_lite::Regex::new(p.rust_regex).unwrap();
        prop_assert_eq!(p.matches(&s), re.is_match(&s), "{} on {:?}", p.published, s);
    }
}
