//! The composer's form, as plain functions: which inputs an operation has, the request text a
//! filled form makes, and the form values a request gives back. No rule lives here — the fields
//! and their kinds come from the core's operation tables, the verdict from `validate_json`.

use std::collections::BTreeMap;

use payrules::json::{self, Json};
use payrules::rules::Ty;
use payrules::{Operation, Profile, Request};
use serde_json::Value;

// The inputs and the request they make are the core's (`payrules::compose`), shared with the
// file check's CSV rows.
pub use payrules::compose::{Part, Slot, request_text, slots};

/// How a slot's input is drawn.
pub trait SlotInput {
    /// The kind of input this slot gets.
    fn input(&self) -> Input;
}

impl SlotInput for Slot {
    fn input(&self) -> Input {
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
