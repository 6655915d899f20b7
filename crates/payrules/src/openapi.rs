//! An OpenAPI 3.1 document per vendor, generated from the operation tables: the same description
//! the checker walks, written for the tools people already use (client generators, mock servers,
//! fuzzers). Nothing here is kept by hand: every path, parameter and body schema comes from the
//! vendor's [`Operation`]s.
//!
//! What JSON Schema 2020-12 can say is said as schema: types, required fields, enums, lengths,
//! ranges, patterns (each written so that ECMA-262 and Rust's `regex` read it the way the vendor
//! means it), `oneOf` for identifiers that name a record by exactly one field. What it cannot say
//! — rules across fields, the lifecycle, a pattern applied to a JSON number's own text — is in
//! the operation's `description` and its `x-payrules-rules` extension. Fields the vendor does
//! not know are accepted with a warning, so objects allow additional properties.
//!
//! Answers are described from what the engine answers, not by hand: the vendor's scenario files
//! (`data/<id>/scenarios/*.in.jsonl`, each on a fresh sample world), its documented example
//! requests and a deterministic mixed batch ([`crate::generate::mixed_batch`]) are sent to
//! a ledger on the sample world, and each operation's answers by status give a schema of the
//! shapes seen (fields and their types; every field may be missing or `null`, since an example
//! cannot prove a field is always there). Refusals of the vendor seen for any operation make the
//! `default` answer (the vendor's own error shapes). A status not seen for an operation is
//! described as any JSON.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::ledger::{Ledger, SteppingClock, Timestamp};

use crate::money::Currency;
use crate::operation::{Body, Method, Operation};
use crate::profile::Profile;
use crate::rules::{Field, Pattern, Token, Ty};

/// Where a field's value comes from: JSON keeps its types, everything else is text.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Json,
    Text,
}

/// The OpenAPI 3.1 document of `profile`'s operations.
pub fn document(profile: Profile) -> Value {
    let mut paths = Map::new();
    let mut schemes = Map::new();
    let seen = answers(profile);
    for operation in profile.operations() {
        let item = paths.entry(operation.path.to_owned()).or_insert_with(|| json!({}));
        if let Value::Object(item) = item {
            let responses = responses(seen.get(operation.id), seen.get(REFUSALS));
            item.insert(method(operation.method).to_owned(), operation_object(operation, &mut schemes, responses));
        }
    }
    let mut document = json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": format!("{} payments", profile.vendor()),
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!(
                "The payment operations of {} as payrules emulates and validates them, generated from payrules' \
                 operation tables. Under `payrules serve` every path is prefixed with `/{}`.",
                profile.vendor(),
                profile.id()
            ),
        },
        "servers": [{
            "url": "{base}/{profile}",
            "description": "payrules serve (the sandbox of the request's `Payrules-Sandbox` header)",
            "variables": {
                "base": { "default": "http://127.0.0.1:8080" },
                "profile": { "default": profile.id(), "enum": [profile.id()] },
            },
        }],
        "paths": paths,
    });
    if !schemes.is_empty()
        && let Value::Object(d) = &mut document
    {
        d.insert("components".to_owned(), json!({ "securitySchemes": schemes }));
    }
    document
}

fn method(m: Method) -> &'static str {
    match m {
        Method::Get => "get",
        Method::Post => "post",
        Method::Put => "put",
        Method::Patch => "patch",
        Method::Delete => "delete",
    }
}

fn operation_object(operation: &Operation, schemes: &mut Map<String, Value>, responses: Value) -> Value {
    let mut parameters = Vec::new();
    let mut security: Vec<(String, bool)> = Vec::new();
    for (place, fields) in [("path", operation.params), ("query", operation.query), ("header", operation.headers)] {
        for field in fields {
            if let Ty::Token(token) = &field.ty {
                let name = scheme(place, field, token, schemes);
                security.push((name, field.required));
                continue;
            }
            parameters.push(json!({
                "name": field.name,
                "in": place,
                "required": field.required || place == "path",
                "description": field.doc,
                "schema": schema(field, Source::Text),
            }));
        }
    }
    let mut object = json!({
        "operationId": operation.id,
        "summary": operation.summary,
    });
    let Value::Object(o) = &mut object else { return object };
    if !operation.rules.is_empty() {
        let list: Vec<String> = operation.rules.iter().map(|r| format!("- {r}")).collect();
        o.insert("description".to_owned(), json!(format!("Rules across fields:\n\n{}", list.join("\n"))));
        o.insert("x-payrules-rules".to_owned(), json!(operation.rules));
    }
    if !parameters.is_empty() {
        o.insert("parameters".to_owned(), Value::Array(parameters));
    }
    match &operation.body {
        Body::None => {}
        Body::Json(fields) => {
            o.insert(
                "requestBody".to_owned(),
                json!({ "required": true, "content": { "application/json": { "schema": object_schema(fields, Source::Json) } } }),
            );
        }
        Body::JsonOrForm(fields) => {
            o.insert(
                "requestBody".to_owned(),
                json!({ "required": true, "content": {
                    "application/json": { "schema": object_schema(fields, Source::Json) },
                    "application/x-www-form-urlencoded": { "schema": object_schema(fields, Source::Text) },
                } }),
            );
        }
    }
    if !security.is_empty() {
        // Every required credential in one requirement; an optional one may be left out.
        let required: Map<String, Value> =
            security.iter().filter(|(_, r)| *r).map(|(n, _)| (n.clone(), json!([]))).collect();
        let all: Map<String, Value> = security.iter().map(|(n, _)| (n.clone(), json!([]))).collect();
        let mut options = vec![Value::Object(all.clone())];
        if required != all {
            options.push(Value::Object(required));
        }
        o.insert("security".to_owned(), Value::Array(options));
    }
    o.insert("responses".to_owned(), responses);
    object
}

/// The key of the refusals seen for any request of the vendor.
const REFUSALS: &str = "";

// `SCENARIOS`: every vendor's scenario requests (generated by build.rs).
include!(concat!(env!("OUT_DIR"), "/scenarios.rs"));

macro_rules! examples {
    ($($module:ident: $variant:ident = $vendor:literal;)*) => {
        /// The vendor's documented example requests (`data/<id>/seeds/examples.jsonl`).
        fn examples(profile: Profile) -> &'static str {
            match profile {
                $(Profile::$variant => include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/", stringify!($module), "/seeds/examples.jsonl")),)*
            }
        }
    };
}

vendors!(examples);

/// The shapes of the engine's answers to `profile`'s example requests and its part of a mixed
/// batch, by operation id and status (refusals of any request also under [`REFUSALS`]).
fn answers(profile: Profile) -> BTreeMap<&'static str, BTreeMap<u16, Value>> {
    let batch = crate::generate::mixed_batch(7, 2000);
    let prefix = format!("{{\"profile\":\"{}\"", profile.id());
    let mine = batch.lines().filter(|l| l.starts_with(&prefix)).collect::<Vec<_>>().join("\n");
    let runs = SCENARIOS.iter().filter(|(id, _)| *id == profile.id()).map(|(_, lines)| *lines);
    let sample = || Ledger::sample(Box::new(SteppingClock::new(Timestamp::from_unix_millis(1_704_099_600_000), 1000)));
    let mut seen: BTreeMap<&'static str, BTreeMap<u16, Value>> = BTreeMap::new();
    for lines in runs.chain([examples(profile), mine.as_str()]) {
        let mut ledger = sample();
        for line in lines.lines() {
            see(profile, &mut ledger, line, &mut seen);
        }
    }
    seen
}

/// Sends `line` to `ledger` and adds the shape of its answer to `seen`.
fn see(profile: Profile, ledger: &mut Ledger, line: &str, seen: &mut BTreeMap<&'static str, BTreeMap<u16, Value>>) {
    {
        if line.trim().is_empty() {
            return;
        }
        let operation = crate::validate_json(line)
            .operation
            .and_then(|id| profile.operations().iter().find(|o| o.id == id))
            .map(|o| o.id);
        let response = ledger.handle_json(line);
        let mut keys = Vec::new();
        keys.extend(operation);
        if response.status >= 400 {
            keys.push(REFUSALS);
        }
        for key in keys {
            let slot = seen.entry(key).or_default().entry(response.status).or_insert(Value::Null);
            *slot = if slot.is_null() { shape(&response.body) } else { merge(slot.take(), shape(&response.body)) };
        }
    }
}

/// The schema of one JSON value: its type, an object's fields, an array's items.
fn shape(value: &Value) -> Value {
    match value {
        Value::Null => json!({ "type": "null" }),
        Value::Bool(_) => json!({ "type": "boolean" }),
        Value::Number(_) => json!({ "type": "number" }),
        Value::String(_) => json!({ "type": "string" }),
        Value::Array(items) => {
            let items = items.iter().map(shape).reduce(merge).unwrap_or_else(|| json!({}));
            json!({ "type": "array", "items": items })
        }
        Value::Object(fields) => {
            let properties: Map<String, Value> = fields.iter().map(|(k, v)| (k.clone(), shape(v))).collect();
            json!({ "type": "object", "properties": properties })
        }
    }
}

/// One schema for the values of two: objects merge their fields, arrays their items, other types
/// are listed.
fn merge(a: Value, b: Value) -> Value {
    if a == b {
        return a;
    }
    let kinds = |s: Value| -> Vec<Value> {
        match s {
            Value::Object(mut m) if matches!(m.get("anyOf"), Some(Value::Array(_))) => match m.remove("anyOf") {
                Some(Value::Array(list)) => list,
                _ => Vec::new(),
            },
            other => vec![other],
        }
    };
    let any = |s: &Value| s.as_object().is_some_and(Map::is_empty);
    if any(&a) || any(&b) {
        return json!({});
    }
    let items = |s: &Value| s.get("items").cloned().unwrap_or_else(|| json!({}));
    let mut out: Vec<Value> = kinds(a);
    for next in kinds(b) {
        match out.iter_mut().find(|s| s.get("type") == next.get("type")) {
            Some(same) if same.get("type") == Some(&json!("object")) => {
                let mut fields = same.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
                for (k, v) in next.get("properties").and_then(Value::as_object).cloned().unwrap_or_default() {
                    let merged = match fields.remove(&k) {
                        Some(old) => merge(old, v),
                        None => v,
                    };
                    fields.insert(k, merged);
                }
                *same = json!({ "type": "object", "properties": fields });
            }
            Some(same) if same.get("type") == Some(&json!("array")) => {
                let merged = merge(items(same), items(&next));
                *same = json!({ "type": "array", "items": merged });
            }
            Some(_) => {}
            None => out.push(next),
        }
    }
    if out.len() == 1 { out.remove(0) } else { json!({ "anyOf": out }) }
}

/// A seen shape as a response schema: every field may be missing or `null` (what was seen is not
/// what must always be there), and a field only ever seen `null` may be anything.
fn lenient(schema: &Value) -> Value {
    if schema.get("type") == Some(&json!("null")) {
        return json!({});
    }
    let list = match schema.get("anyOf") {
        Some(Value::Array(list)) => list.clone(),
        _ => vec![schema.clone()],
    };
    let mut out: Vec<Value> = list
        .iter()
        .map(|s| match s.get("type").and_then(Value::as_str) {
            Some("object") => {
                let fields: Map<String, Value> = s
                    .get("properties")
                    .and_then(Value::as_object)
                    .map(|f| f.iter().map(|(k, v)| (k.clone(), lenient(v))).collect())
                    .unwrap_or_default();
                json!({ "type": "object", "properties": fields })
            }
            Some("array") => json!({ "type": "array", "items": s.get("items").map_or_else(|| json!({}), lenient) }),
            _ => s.clone(),
        })
        .collect();
    if !out.iter().any(|s| s.get("type") == Some(&json!("null")) || s.as_object().is_some_and(Map::is_empty)) {
        out.push(json!({ "type": "null" }));
    }
    if out.len() == 1 { out.remove(0) } else { json!({ "anyOf": out }) }
}

/// The `responses` of an operation: each status seen with the shape seen, `200` always (any JSON
/// when none was seen), and the vendor's refusals as `default`.
fn responses(seen: Option<&BTreeMap<u16, Value>>, refusals: Option<&BTreeMap<u16, Value>>) -> Value {
    let body = |schema: Value| json!({ "application/json": { "schema": schema } });
    let mut out = Map::new();
    for (status, schema) in seen.into_iter().flatten() {
        let what = if *status < 400 {
            "The vendor's answer (the shapes seen)"
        } else {
            "The vendor's refusal (the shapes seen)"
        };
        out.insert(status.to_string(), json!({ "description": what, "content": body(lenient(schema)) }));
    }
    out.entry("200".to_owned())
        .or_insert_with(|| json!({ "description": "The vendor's answer", "content": body(json!({})) }));
    let refusal =
        refusals.into_iter().flatten().map(|(_, s)| s.clone()).reduce(merge).map_or_else(|| json!({}), |s| lenient(&s));
    out.insert(
        "default".to_owned(),
        json!({
            "description": "The vendor's refusal, in its own error shape (400 invalid, 401 credential, 404 unknown record or route, 405 method, 409 lifecycle or relation, 422 and others as the vendor answers)",
            "content": body(refusal),
        }),
    );
    Value::Object(out)
}

/// The security scheme of a credential field, registered once; its name.
fn scheme(place: &str, field: &Field, token: &Token, schemes: &mut Map<String, Value>) -> String {
    let (name, value) = match (place, token) {
        ("header", Token::Bearer) => {
            ("bearer".to_owned(), json!({ "type": "http", "scheme": "bearer", "description": field.doc }))
        }
        _ => (
            format!("{place}_{}", field.name),
            json!({ "type": "apiKey", "in": place, "name": field.name, "description": field.doc }),
        ),
    };
    schemes.entry(name.clone()).or_insert(value);
    name
}

fn object_schema(fields: &[Field], source: Source) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in fields {
        let mut s = schema(field, source);
        if !field.required && source == Source::Json && !matches!(field.ty, Ty::ReadOnly) {
            // `null` is the same as leaving an optional field out.
            s = json!({ "anyOf": [s, { "type": "null" }] });
        }
        if let Value::Object(m) = &mut s {
            m.entry("description".to_owned()).or_insert_with(|| json!(field.doc));
        }
        properties.insert(field.name.to_owned(), s);
        if field.required {
            required.push(field.name);
        }
    }
    let mut object = json!({ "type": "object", "properties": properties });
    if !required.is_empty()
        && let Value::Object(m) = &mut object
    {
        m.insert("required".to_owned(), json!(required));
    }
    object
}

/// Digits only, at most `digits` of them.
fn digits_pattern(digits: u8) -> String {
    format!("^[0-9]{{1,{digits}}}$")
}

/// A decimal number's text: an optional minus, digits, an optional fraction.
const DECIMAL_TEXT: &str = "^-?[0-9]+(\\.[0-9]+)?$";

fn pattern_schema(pattern: &Pattern) -> Value {
    let mut s = json!({ "pattern": pattern.rust_regex, "description": pattern.means });
    if !pattern.known.is_empty()
        && let Value::Object(m) = &mut s
    {
        m.insert("enum".to_owned(), json!(pattern.known.iter().map(|(v, _)| *v).collect::<Vec<_>>()));
    }
    s
}

/// The schema of one field's value, as it comes from `source`.
fn schema(field: &Field, source: Source) -> Value {
    let text = source == Source::Text;
    match &field.ty {
        Ty::Text { max } => match max {
            Some(max) => json!({ "type": "string", "maxLength": max }),
            None => json!({ "type": "string" }),
        },
        Ty::Token(token) => {
            let mut s = match token {
                Token::Plain { max } => {
                    let mut s = json!({ "type": "string", "minLength": 1, "pattern": "^\\S+$" });
                    if let (Some(max), Value::Object(m)) = (max, &mut s) {
                        m.insert("maxLength".to_owned(), json!(max));
                    }
                    s
                }
                Token::Hex32 => json!({ "type": "string", "pattern": "^[0-9A-Fa-f]{32}$" }),
                Token::Bearer => json!({ "type": "string", "pattern": "^[Bb][Ee][Aa][Rr][Ee][Rr] +\\S+ *$" }),
            };
            if let Value::Object(m) = &mut s {
                m.insert("writeOnly".to_owned(), json!(true));
                m.insert("format".to_owned(), json!("password"));
            }
            s
        }
        Ty::Integer { digits, min, strict } => {
            let max = 10u128.checked_pow(u32::from(*digits)).map_or(u128::MAX, |p| p - 1);
            let number = json!({ "type": "integer", "minimum": min, "maximum": max });
            if text {
                json!({ "type": "string", "pattern": digits_pattern(*digits) })
            } else if *strict {
                number
            } else {
                json!({ "anyOf": [number, { "type": "string", "pattern": digits_pattern(*digits) }] })
            }
        }
        Ty::Decimal { positive, strings } => {
            let mut number = json!({ "type": "number" });
            if *positive && let Value::Object(m) = &mut number {
                m.insert("exclusiveMinimum".to_owned(), json!(0));
            }
            if text {
                json!({ "type": "string", "pattern": DECIMAL_TEXT })
            } else if *strings {
                json!({ "anyOf": [number, { "type": "string", "pattern": DECIMAL_TEXT }] })
            } else {
                number
            }
        }
        Ty::Pattern(pattern) => {
            let string = {
                let mut s = pattern_schema(pattern);
                if let Value::Object(m) = &mut s {
                    m.insert("type".to_owned(), json!("string"));
                }
                s
            };
            if text {
                string
            } else {
                // A JSON number's own text must match too: JSON Schema cannot see a number's text,
                // so numbers are described and the rule is in the description.
                json!({
                    "anyOf": [string, { "type": "number" }],
                    "description": format!("{} (a JSON number's own text must match {} too)", pattern.means, pattern.published),
                })
            }
        }
        Ty::Enum { values } => json!({ "type": "string", "enum": values }),
        Ty::Bool => {
            if text {
                json!({ "type": "string", "enum": ["true", "false", "1", "0"] })
            } else {
                json!({ "type": "boolean" })
            }
        }
        Ty::DateTime => json!({ "type": "string", "anyOf": [{ "format": "date-time" }, { "format": "date" }] }),
        Ty::Date => json!({ "type": "string", "anyOf": [{ "format": "date" }, { "format": "date-time" }] }),
        Ty::Currency => json!({ "type": "string", "enum": Currency::codes().collect::<Vec<_>>() }),
        Ty::Identifier { fields } => {
            let properties: Map<String, Value> = fields
                .iter()
                .map(|f| {
                    ((*f).to_owned(), json!({ "anyOf": [{ "type": "string", "minLength": 1 }, { "type": "number" }] }))
                })
                .collect();
            let one_of: Vec<Value> = fields.iter().map(|f| json!({ "required": [f] })).collect();
            let object = json!({
                "type": "object",
                "properties": properties,
                "additionalProperties": false,
                "oneOf": one_of,
            });
            if text {
                let names = fields.join("|");
                json!({
                    "type": "string",
                    "pattern": format!("^\\s*({names})\\s*=.*$|^\\s*\\{{"),
                    "description": format!("`field=value` or a JSON object, naming the record by exactly one of {}", fields.join(", ")),
                })
            } else {
                object
            }
        }
        Ty::FieldsSet { names } => {
            let one = format!("({})", names.join("|"));
            json!({ "type": "string", "pattern": format!("^\\s*{one}\\s*(,\\s*{one}\\s*)*$") })
        }
        Ty::List { item, non_empty } => {
            let mut s = json!({ "type": "array", "items": object_schema(item, Source::Json) });
            if *non_empty && let Value::Object(m) = &mut s {
                m.insert("minItems".to_owned(), json!(1));
            }
            s
        }
        Ty::Object { fields } => object_schema(fields, Source::Json),
        Ty::AnyObject => json!({ "type": "object" }),
        Ty::ReadOnly => json!({ "readOnly": true }),
    }
}

#[cfg(test)]
mod tests {
    use super::document;
    use crate::Profile;

    /// Every `pattern` in `node`, with where it is.
    fn patterns(node: &serde_json::Value, at: &str, out: &mut Vec<(String, String)>) {
        match node {
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    patterns(item, &format!("{at}/{i}"), out);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("pattern", serde_json::Value::String(p)) => out.push((at.to_owned(), p.clone())),
                        _ => patterns(v, &format!("{at}/{k}"), out),
                    }
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_pattern_compiles_in_rusts_regex_dialect() {
        let mut all = Vec::new();
        for profile in Profile::ALL {
            patterns(&document(profile), profile.id(), &mut all);
        }
        assert!(all.len() > 50, "{} patterns", all.len());
        for (at, p) in all {
            assert!(regex_lite::Regex::new(&p).is_ok(), "{at}: {p}");
        }
    }

    #[test]
    fn a_pattern_field_means_what_the_vendor_means() {
        // plentymarkets' `{4}+` (a SyntaxError in JavaScript) is written as exactly four decimals.
        let doc = document(Profile::Plentymarkets);
        let amount = &doc["paths"]["/rest/payments"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
            ["amount"];
        let pattern = amount["anyOf"][0]["pattern"].as_str().unwrap();
        let re = regex_lite::Regex::new(pattern).unwrap();
        assert!(re.is_match("12.3400") && !re.is_match("12.34") && !re.is_match("12.34000"), "{pattern}");
    }

    #[test]
    fn every_operation_is_in_its_vendors_document_once() {
        for profile in Profile::ALL {
            let doc = document(profile);
            let count: usize = doc["paths"].as_object().unwrap().values().map(|i| i.as_object().unwrap().len()).sum();
            assert_eq!(count, profile.operations().len(), "{}", profile.id());
            for op in profile.operations() {
                let path = &doc["paths"][op.path];
                assert!(path.is_object(), "{} {}", op.id, op.path);
            }
        }
    }
}
