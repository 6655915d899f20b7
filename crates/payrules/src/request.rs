//! The one shape every runtime speaks: `Request` in, `Response` out, and the strict reading of request JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::pointer::Pointer;
use crate::report::{Code, Violation};

/// A request to one of the five APIs, as a user would send it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// `komet`, `activeplatform`, `crmcom`, `plentymarkets` or `logisense`.
    pub profile: String,
    /// The HTTP method (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`); matched without regard to case.
    pub method: String,
    /// The vendor path, e.g. `/rest/payments/12`. A `?query` part is read into `query`.
    pub path: String,
    /// Query parameters, names as sent.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// Headers; names are matched without regard to case.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The body: any JSON value, or a JSON **string** holding the body's text (strict JSON, or a
    /// form-encoded body when `Content-Type` says so). Absent and `null` mean no body.
    #[serde(default)]
    pub body: Value,
}

/// What an API answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The vendor-shaped JSON body.
    pub body: Value,
}

impl Request {
    /// A header's value, its name matched without regard to case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Reads a request from JSON text, reporting every problem with its place.
    ///
    /// Unlike the derived `Deserialize`, this never stops at the first problem and says where each is.
    pub fn from_json(text: &str) -> Result<Request, Vec<Violation>> {
        match serde_json::from_str::<Value>(text) {
            Ok(value) => Request::from_value(value),
            Err(err) => Err(vec![invalid_json("", "the request", text, &err)]),
        }
    }

    /// Reads a request from a JSON value (see [`Request::from_json`]).
    pub fn from_value(value: Value) -> Result<Request, Vec<Violation>> {
        let Value::Object(mut map) = value else {
            return Err(vec![Violation::error(
                "",
                Code::Type,
                format!(
                    "a request is a JSON object {{profile, method, path, query, headers, body}}; found {}",
                    kind_of(&value)
                ),
            )]);
        };
        let mut errors = Vec::new();
        let profile = take_string(&mut map, "profile", &mut errors);
        let method = take_string(&mut map, "method", &mut errors);
        let path = take_string(&mut map, "path", &mut errors);
        let query = take_string_map(&mut map, "query", &mut errors);
        let headers = take_string_map(&mut map, "headers", &mut errors);
        let body = map.remove("body").unwrap_or(Value::Null);
        for key in map.keys() {
            let mut ptr = Pointer::default();
            ptr.push(key);
            errors.push(Violation::error(
                ptr.as_str(),
                Code::UnknownField,
                format!(
                    "`{key}` is not part of a request; a request has profile, method, path, query, headers and body"
                ),
            ));
        }
        if errors.is_empty() { Ok(Request { profile, method, path, query, headers, body }) } else { Err(errors) }
    }
}

fn take_string(map: &mut Map<String, Value>, key: &str, errors: &mut Vec<Violation>) -> String {
    match map.remove(key) {
        Some(Value::String(s)) => s,
        None | Some(Value::Null) => {
            errors.push(Violation::error(format!("/{key}"), Code::Required, format!("`{key}` is required")));
            String::new()
        }
        Some(other) => {
            errors.push(Violation::error(
                format!("/{key}"),
                Code::Type,
                format!("`{key}` must be a string; found {}", kind_of(&other)),
            ));
            String::new()
        }
    }
}

fn take_string_map(map: &mut Map<String, Value>, key: &str, errors: &mut Vec<Violation>) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    match map.remove(key) {
        None | Some(Value::Null) => {}
        Some(Value::Object(entries)) => {
            for (name, value) in entries {
                let mut ptr = Pointer::default();
                ptr.push(key);
                ptr.push(&name);
                match value {
                    Value::String(s) => {
                        out.insert(name, s);
                    }
                    Value::Number(n) => {
                        let text = n.to_string();
                        errors.push(
                            Violation::error(
                                ptr.as_str(),
                                Code::Type,
                                format!("`{key}` values are strings; write the number as the string \"{text}\""),
                            )
                            .with_suggestion(Value::String(text).to_string()),
                        );
                    }
                    other => errors.push(Violation::error(
                        ptr.as_str(),
                        Code::Type,
                        format!("`{key}` values are strings; found {}", kind_of(&other)),
                    )),
                }
            }
        }
        Some(other) => errors.push(Violation::error(
            format!("/{key}"),
            Code::Type,
            format!("`{key}` must be an object of strings; found {}", kind_of(&other)),
        )),
    }
    out
}

/// The violation for text that is not strict JSON, with line, column and a hint.
pub(crate) fn invalid_json(path: &str, what: &str, text: &str, err: &serde_json::Error) -> Violation {
    let reason = err.to_string();
    let reason = reason.split(" at line ").next().unwrap_or(&reason).to_owned();
    let found =
        text.lines().nth(err.line().saturating_sub(1)).and_then(|l| l.chars().nth(err.column().saturating_sub(1)));
    let odd_space;
    let hint = if let Some(c) = found.filter(|c| c.is_whitespace() && !matches!(c, ' ' | '\t' | '\n' | '\r')) {
        odd_space = format!(" (U+{:04X} is a space JSON does not allow; use a plain space or remove it)", u32::from(c));
        odd_space.as_str()
    } else if reason.contains("trailing comma") {
        " (strict JSON allows no comma before `}` or `]`: remove it)"
    } else if reason.contains("EOF") {
        " (the text ends before the JSON value is complete)"
    } else if reason.contains("key must be a string") {
        " (object keys are written in double quotes)"
    } else {
        ""
    };
    Violation::error(
        path,
        Code::InvalidJson,
        format!("{what} is not strict JSON: {reason} at line {}, column {}{hint}", err.line(), err.column()),
    )
}

/// A short name of a JSON value's kind, for messages.
pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
