//! The composer's form, as plain functions: which inputs an operation has, the request text a
//! filled form makes, and the form values a request gives back. No rule lives here — the fields
//! and their kinds come from the core's operation tables, the verdict from `validate_json`.

use std::collections::BTreeMap;

use payrules::json::{self, Json};
use payrules::profiles::Body;
use payrules::rules::{Field, Ty};
use payrules::{Operation, Profile, Request};
use serde_json::Value;

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
    fn root(self) -> &'static str {
        match self {
            Part::Path => "/path",
            Part::Query => "/query",
            Part::Header => "/headers",
            Part::Body => "/body",
        }
    }
}

/// One input of the form.
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

    /// How the input is drawn.
    pub fn input(&self) -> Input {
        match &self.field.ty {
            Ty::Enum { values } => Input::Select(values.to_vec()),
            Ty::Bool => Input::Select(vec!["true", "false"]),
            Ty::Identifier { fields } => Input::OneOf(fields.to_vec()),
            Ty::Token(_) => Input::Secret,
            Ty::List { .. } | Ty::Object { .. } | Ty::AnyObject => Input::Json,
            Ty::Date | Ty::DateTime => Input::Text("2024-01-31T10:00:00"),
            Ty::Decimal { .. } => Input::Text("12.50"),
            Ty::Pattern(p) => Input::Text(if p.decimals.is_some() { "12.3400" } else { "" }),
            Ty::Currency => Input::Text("EUR"),
            // A field type added later is written as text until the form knows it better.
            Ty::Integer { .. } | Ty::Text { .. } | Ty::FieldsSet { .. } | Ty::ReadOnly | _ => Input::Text(""),
        }
    }
}

/// The kind of input a field gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Free text, with a placeholder example.
    Text(&'static str),
    /// A credential: masked.
    Secret,
    /// One of these values.
    Select(Vec<&'static str>),
    /// An identifier object: which field names the record, and its value (`number=200`).
    OneOf(Vec<&'static str>),
    /// JSON text (lists and nested objects).
    Json,
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

fn is_json_number(text: &str) -> bool {
    matches!(json::parse(text), Ok(Json::Number(_)))
}

/// The JSON text of one body value as the form holds it (`None`: leave the field out).
fn body_value(slot: &Slot, text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    let string = || Value::String(t.to_owned()).to_string();
    Some(match &slot.field.ty {
        // Numbers are written as the user typed them: the request is text, so 12.3400 stays 12.3400.
        Ty::Integer { .. } | Ty::Decimal { .. } | Ty::Pattern(_) if is_json_number(t) => t.to_owned(),
        Ty::Bool if t == "true" || t == "false" => t.to_owned(),
        Ty::Identifier { .. } => match t.split_once('=') {
            Some((k, v)) => {
                format!("{{{}:{}}}", Value::String(k.trim().to_owned()), Value::String(v.trim().to_owned()))
            }
            None => string(),
        },
        Ty::List { .. } | Ty::Object { .. } | Ty::AnyObject => t.to_owned(),
        _ => string(),
    })
}

/// The request text a filled form makes (values keyed by [`Slot::pointer`]).
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
            .filter_map(|s| {
                value(s).map(|v| format!("{}:{}", Value::String(s.field.name.to_owned()), Value::String(v.to_owned())))
            })
            .collect();
        format!("{{{}}}", items.join(","))
    };
    let mut text = format!(
        "{{\"profile\":{},\"method\":{},\"path\":{},\"query\":{},\"headers\":{}",
        Value::String(profile.id().to_owned()),
        Value::String(op.method.as_str().to_owned()),
        Value::String(path),
        pairs(Part::Query),
        pairs(Part::Header)
    );
    if matches!(op.body, Body::Json(_) | Body::JsonOrForm(_)) {
        let members: Vec<String> = slots
            .iter()
            .filter(|s| s.part == Part::Body)
            .filter_map(|s| {
                body_value(s, values.get(&s.pointer()).map_or("", String::as_str))
                    .map(|v| format!("{}:{v}", Value::String(s.field.name.to_owned())))
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

/// The text of a JSON value as the form shows it (strings unquoted, numbers exactly as written).
fn shown(value: &Json<'_>) -> String {
    match value {
        Json::String(s) => s.to_string(),
        Json::Number(n) => (*n).to_owned(),
        Json::Bool(b) => b.to_string(),
        Json::Null => String::new(),
        Json::Object(members) if members.len() == 1 => match members.first() {
            Some((k, v)) => format!("{k}={}", shown(v)),
            None => String::new(),
        },
        other => other.to_value().to_string(),
    }
}

/// The form values a request gives (for templates and action requests); numbers keep their text.
pub fn values_from(op: &'static Operation, request_text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(request) = Request::from_json(request_text) else { return out };
    let Ok(profile) = request.profile.parse::<Profile>() else { return out };
    if let Ok(route) = payrules::profiles::route(profile, &request.method, &request.path) {
        for (k, v) in route.params.iter().chain(&route.path_query) {
            let part = if route.params.iter().any(|(pk, _)| pk == k) { Part::Path } else { Part::Query };
            out.insert(format!("{}/{k}", part.root()), v.to_string());
        }
    }
    for (k, v) in &request.query {
        out.insert(format!("/query/{k}"), v.clone());
    }
    for s in slots(op).iter().filter(|s| s.part == Part::Header) {
        if let Some(v) = request.header(s.field.name) {
            out.insert(s.pointer(), v.to_owned());
        }
    }
    // The body from the request's own text, so decimals keep their written form.
    let body_text = match &request.body {
        Value::String(text) => Some(text.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    if let Some(Ok(Json::Object(members))) = body_text.as_deref().map(json::parse) {
        for s in slots(op).iter().filter(|s| s.part == Part::Body) {
            if let Some((_, v)) = members.iter().rev().find(|(k, _)| k == s.field.name) {
                out.insert(s.pointer(), shown(v));
            }
        }
    }
    out
}

/// The operation a request text routes to, if any.
pub fn operation_of(text: &str) -> Option<(Profile, &'static Operation)> {
    let request = Request::from_json(text).ok()?;
    let profile = request.profile.parse::<Profile>().ok()?;
    let route = payrules::profiles::route(profile, &request.method, &request.path).ok()?;
    Some((profile, route.operation))
}

/// The request text with every credential value masked, for showing on screen.
pub fn masked(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_owned();
    for s in secrets.iter().filter(|s| s.len() >= 3) {
        out = out.replace(s.as_str(), &"•".repeat(8));
    }
    out
}
