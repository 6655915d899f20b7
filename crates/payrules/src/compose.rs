//! Requests from field values: the inputs an operation has (path, query, headers, body, from its
//! table) and the request text a set of values makes. The console's form and the file check's CSV
//! rows both build requests here, so a value means the same in both; numbers keep their text.

use std::collections::BTreeMap;

use crate::json::{self, Json};
use crate::profiles::Body;
use crate::rules::{Field, Ty};
use crate::{Operation, Profile};

/// The part of a request an input belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// A path parameter.
    Path,
    /// A query parameter.
    Query,
    /// A header.
    Header,
    /// A body field.
    Body,
}

impl Part {
    /// The JSON Pointer of this part of a request (`/body`).
    pub fn root(self) -> &'static str {
        match self {
            Part::Path => "/path",
            Part::Query => "/query",
            Part::Header => "/headers",
            Part::Body => "/body",
        }
    }
}

/// One input of an operation: a field and the part of the request it goes in.
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    /// Where it goes.
    pub part: Part,
    /// The field it fills (name, kind, required, doc).
    pub field: &'static Field,
}

impl Slot {
    /// The JSON Pointer its violations carry (`/body/amount`).
    pub fn pointer(&self) -> String {
        format!("{}/{}", self.part.root(), self.field.name.replace('~', "~0").replace('/', "~1"))
    }
}

/// Every input of an operation, in request order: path, query, headers, body (read-only fields left out).
pub fn slots(op: &'static Operation) -> Vec<Slot> {
    let mut out = Vec::new();
    let mut add = |part: Part, fields: &'static [Field]| {
        out.extend(fields.iter().filter(|f| !matches!(f.ty, Ty::ReadOnly)).map(|field| Slot { part, field }));
    };
    add(Part::Path, op.params);
    add(Part::Query, op.query);
    add(Part::Header, op.headers);
    if let Body::Json(fields) | Body::JsonOrForm(fields) = op.body {
        add(Part::Body, fields);
    }
    out
}

/// The input each column of a table fills, by its header: a header names a slot by its field's
/// name (`amount`) or by its pointer (`/body/amount`, when two parts share a name); `None` for a
/// column the operation has no input for. A later column naming a slot already taken is `None`.
pub fn columns<S: AsRef<str>>(op: &'static Operation, headers: &[S]) -> Vec<Option<Slot>> {
    let slots = slots(op);
    let mut taken: Vec<String> = Vec::new();
    headers
        .iter()
        .map(|h| {
            let h = h.as_ref().trim();
            let slot = slots
                .iter()
                .find(|s| s.pointer() == h)
                .or_else(|| slots.iter().find(|s| s.field.name == h))
                .copied()
                .filter(|s| !taken.contains(&s.pointer()))?;
            taken.push(slot.pointer());
            Some(slot)
        })
        .collect()
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    json::write_string(&mut out, s);
    out
}

fn is_json_number(text: &str) -> bool {
    matches!(json::parse(text), Ok(Json::Number(_)))
}

/// The JSON text of one body value as it was written (`None`: leave the field out).
fn body_value(slot: &Slot, text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let string = || quoted(t);
    Some(match &slot.field.ty {
        // Numbers are written as the user typed them: the request is text, so 12.3400 stays 12.3400.
        Ty::Integer { .. } | Ty::Decimal { .. } | Ty::Pattern(_) if is_json_number(t) => t.to_owned(),
        Ty::Bool if t == "true" || t == "false" => t.to_owned(),
        Ty::Identifier { .. } => match t.split_once('=') {
            Some((k, v)) => format!("{{{}:{}}}", quoted(k.trim()), quoted(v.trim())),
            None => string(),
        },
        Ty::List { .. } | Ty::Object { .. } | Ty::AnyObject => t.to_owned(),
        _ => string(),
    })
}

/// The request text a set of values makes (values keyed by [`Slot::pointer`]; blank ones left out).
pub fn request_text(profile: Profile, op: &'static Operation, values: &BTreeMap<String, String>) -> String {
    let slots = slots(op);
    let value = |s: &Slot| values.get(&s.pointer()).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut path = op.path.to_owned();
    for s in slots.iter().filter(|s| s.part == Part::Path) {
        if let Some(v) = value(s) {
            path = path.replace(&format!("{{{}}}", s.field.name), &encode_segment(v));
        }
    }
    let pairs = |part: Part| -> String {
        let items: Vec<String> = slots
            .iter()
            .filter(|s| s.part == part)
            .filter_map(|s| value(s).map(|v| format!("{}:{}", quoted(s.field.name), quoted(v))))
            .collect();
        format!("{{{}}}", items.join(","))
    };
    let mut text = format!(
        "{{\"profile\":{},\"method\":{},\"path\":{},\"query\":{},\"headers\":{}",
        quoted(profile.id()),
        quoted(op.method.as_str()),
        quoted(&path),
        pairs(Part::Query),
        pairs(Part::Header)
    );
    if matches!(op.body, Body::Json(_) | Body::JsonOrForm(_)) {
        let members: Vec<String> = slots
            .iter()
            .filter(|s| s.part == Part::Body)
            .filter_map(|s| {
                body_value(s, values.get(&s.pointer()).map_or("", String::as_str))
                    .map(|v| format!("{}:{v}", quoted(s.field.name)))
            })
            .collect();
        text.push_str(",\"body\":{");
        text.push_str(&members.join(","));
        text.push('}');
    }
    text.push('}');
    text
}

fn encode_segment(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{columns, request_text};
    use crate::Profile;

    #[test]
    fn columns_map_by_field_name_or_pointer_and_once() {
        let op = Profile::Plentymarkets.operation("plentymarkets.create_payment").unwrap();
        let mapped: Vec<Option<String>> =
            columns(op, &["amount", " /headers/authorization ", "nickname", "amount", "currency"])
                .iter()
                .map(|s| s.map(|s| s.pointer()))
                .collect();
        assert_eq!(
            mapped,
            [
                Some("/body/amount".into()),
                Some("/headers/authorization".into()),
                None,
                None,
                Some("/body/currency".into())
            ]
        );
    }

    #[test]
    fn values_make_exact_text_and_strings_are_escaped() {
        let op = Profile::Plentymarkets.operation("plentymarkets.create_payment").unwrap();
        let mut values = BTreeMap::new();
        values.insert("/body/amount".to_owned(), "12.3400".to_owned());
        values.insert("/body/currency".to_owned(), "E\"U\n".to_owned());
        values.insert("/body/mopId".to_owned(), "  ".to_owned());
        let text = request_text(Profile::Plentymarkets, op, &values);
        assert!(text.contains(r#""amount":12.3400"#), "{text}");
        assert!(text.contains(r#""currency":"E\"U""#), "{text}");
        assert!(!text.contains("mopId"), "{text}");
        assert!(crate::Request::from_json(&text).is_ok(), "{text}");
    }
}
