//! The hand-written JSON reader against `serde_json`: the same texts accepted, the same values read.

use payrules::json::parse;
use proptest::prelude::*;
use serde_json::Value;

fn agree(text: &str) -> Result<(), TestCaseError> {
    let ours = parse(text);
    let theirs = serde_json::from_str::<Value>(text);
    prop_assert_eq!(
        ours.is_ok(),
        theirs.is_ok(),
        "{:?}: ours {:?}, serde_json {:?}",
        text,
        ours,
        theirs.as_ref().err()
    );
    if let (Ok(a), Ok(b)) = (ours, theirs) {
        prop_assert_eq!(a.to_value(), b);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    /// Text made of JSON's own characters, so most of it is nearly JSON.
    #[test]
    fn agrees_on_json_like_text(text in r#"[ \t\n{}\[\]",:0-9.eE+\-a-z\\/]{0,40}"#) {
        agree(&text)?;
    }

    /// Real JSON, reformatted and cut at every length.
    #[test]
    fn agrees_on_real_json_and_its_prefixes(value in any_json(), cut in any::<prop::sample::Index>()) {
        let text = value.to_string();
        agree(&text)?;
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        agree(&pretty)?;
        let at = cut.index(text.len() + 1);
        if text.is_char_boundary(at) {
            agree(&text[..at])?;
        }
    }
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        "-?(0|[1-9][0-9]{0,12})(\\.[0-9]{1,6})?([eE][+-]?[0-9]{1,2})?".prop_map(|t| Value::Number(t.parse().unwrap())),
        "\\PC{0,12}".prop_map(Value::String),
        "[\"\\\\/\u{8}\u{c}\n\r\t\u{1}é😀]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{0,4}", inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let deep = "[".repeat(100_000);
    assert_eq!(parse(&deep).unwrap_err().reason, "recursion limit exceeded");
    let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
    assert!(parse(&ok).is_ok());
}
