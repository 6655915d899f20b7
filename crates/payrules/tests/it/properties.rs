//! Property tests: `validate` never panics, whatever the input, and its verdict is consistent.

use payrules::profiles::Body;
use payrules::rules::{Field, Ty};
use payrules::{Profile, Request, Severity, validate, validate_json, validate_json_bytes};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

fn names(fields: &'static [Field], out: &mut Vec<&'static str>) {
    for f in fields {
        out.push(f.name);
        match &f.ty {
            Ty::List { item, .. } => names(item, out),
            Ty::Object { fields } => names(fields, out),
            Ty::Identifier { fields } => out.extend(fields.iter().copied()),
            _ => {}
        }
    }
}

/// Every field name of every operation: generated objects use them, so the checks run deep.
fn field_names() -> Vec<&'static str> {
    let mut out = vec!["items", "x"];
    for p in Profile::ALL {
        for op in p.operations() {
            names(op.params, &mut out);
            names(op.query, &mut out);
            if let Body::Json(f) | Body::JsonOrForm(f) = op.body {
                names(f, &mut out);
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Paths of every operation with their placeholders filled by odd and ordinary values.
fn routes() -> Vec<(Profile, &'static str, &'static str)> {
    Profile::ALL.iter().flat_map(|&p| p.operations().iter().map(move |op| (p, op.method.as_str(), op.path))).collect()
}

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("12.3400".to_owned()),
        Just("-0".to_owned()),
        Just("1e400".to_owned()),
        Just("123456789012345678901234567890.5".to_owned()),
        Just("0.00000000000000000000000000001".to_owned()),
        "-?[0-9]{1,12}(\\.[0-9]{0,8})?([eE][+-]?[0-9]{1,3})?",
    ]
}

fn scalar_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("2014-02-29T10:00:00".to_owned()),
        Just("number=200".to_owned()),
        Just("{\"number\":\"200\"}".to_owned()),
        Just("Bearer x".to_owned()),
        Just("DRAFT".to_owned()),
        Just("EUR".to_owned()),
        "[0-9]{1,25}",
        ".{0,24}",
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let keys = field_names();
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number_text().prop_filter_map("json number", |t| t.parse::<Number>().ok().map(Value::Number)),
        scalar_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 8, move |inner| {
        let keys = keys.clone();
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(keys), inner), 0..10).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Map<_, _>>())
            }),
        ]
    })
}

fn request() -> impl Strategy<Value = Request> {
    let routes = routes();
    (
        prop::sample::select(routes),
        prop::collection::vec(scalar_text(), 0..3),
        prop::collection::vec((prop::sample::select(field_names()), scalar_text()), 0..4),
        json(),
        any::<bool>(),
        prop::sample::select(vec!["GET", "POST", "put", "PATCH", "DELETE", "HEAD", ""]),
        any::<bool>(),
    )
        .prop_map(|((profile, method, path), fills, query, body, as_text, other_method, keep_method)| {
            let mut fills = fills.into_iter();
            let path =
                path.split('/')
                    .map(|seg| {
                        if seg.starts_with('{') {
                            fills.next().unwrap_or_else(|| "1".to_owned())
                        } else {
                            seg.to_owned()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("/");
            let mut headers = std::collections::BTreeMap::new();
            headers.insert("Authorization".to_owned(), "Bearer abc".to_owned());
            Request {
                profile: profile.id().to_owned(),
                method: if keep_method { method.to_owned() } else { other_method.to_owned() },
                path,
                query: query.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                headers,
                body: if as_text { Value::String(body.to_string()) } else { body },
            }
        })
}

fn consistent(report: &payrules::Report) -> bool {
    report.valid != report.errors.iter().any(|v| v.severity == Severity::Error)
        && report.errors.iter().all(|v| v.path.is_empty() || v.path.starts_with('/'))
        && report.errors.iter().all(|v| !v.message.is_empty())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn validate_never_panics_on_generated_requests(request in request()) {
        let report = validate(&request);
        prop_assert!(consistent(&report), "{report:?}");
        // The same request through its JSON text gives the same verdict.
        let text = serde_json::to_string(&request).unwrap();
        prop_assert_eq!(validate_json(&text), report);
    }

    #[test]
    fn validate_never_panics_on_arbitrary_json(value in json()) {
        let report = validate_json(&value.to_string());
        prop_assert!(consistent(&report));
    }

    #[test]
    fn validate_never_panics_on_arbitrary_strings(text in ".{0,200}") {
        let report = validate_json(&text);
        prop_assert!(consistent(&report));
    }

    #[test]
    fn validate_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Some(report) = validate_json_bytes(&bytes) {
            prop_assert!(consistent(&report));
        }
    }

    /// A token value never appears in a report, whatever is wrong with it.
    #[test]
    fn tokens_are_never_echoed(secret in "SECRET[A-Za-z0-9 ]{20,60}") {
        for line in [
            format!(r#"{{"profile":"komet","method":"POST","path":"/api/payment.mark.sync","body":{{"authenticationToken":"{secret}","payments":[]}}}}"#),
            format!(r#"{{"profile":"activeplatform","method":"POST","path":"/api/vendor/v1/payments/1/complete.json","query":{{"api_token":"{secret}"}},"body":{{}}}}"#),
            format!(r#"{{"profile":"crmcom","method":"POST","path":"/payments/post","body":{{"token":"{secret}"}}}}"#),
            format!(r#"{{"profile":"plentymarkets","method":"GET","path":"/rest/payments","headers":{{"Authorization":"Basic {secret}"}}}}"#),
            format!(r#"{{"profile":"logisense","method":"GET","path":"/Payment","headers":{{"authorization":"Bearer {secret}"}}}}"#),
        ] {
            let out = serde_json::to_string(&validate_json(&line)).unwrap();
            prop_assert!(!out.contains("SECRET"), "{out}");
        }
    }
}
