//! The one shape every runtime speaks: `Request` in, `Response` out, and the strict reading of
//! request JSON into a borrowed [`View`] that validation works on.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::{self, Json, JsonError};
use crate::pointer::Pointer;
use crate::report::{Code, Violation};

/// A request to one of the five APIs, as a user would send it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Request {
    /// `komet`, `activeplatform`, `crmcom`, `plentymarkets` or `logisense`.
    pub profile: String,
    /// The HTTP method (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`); matched without regard to case.
    pub method: String,
    /// The vendor path, e.g. `/rest/payments/12`. A `?query` part is read into `query`.
    pub path: String,
    /// Query parameters, names as sent.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub query: BTreeMap<String, String>,
    /// Headers; names are matched without regard to case.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub headers: BTreeMap<String, String>,
    /// The body: any JSON value, or a JSON **string** holding the body's text (strict JSON, or a
    /// form-encoded body when `Content-Type` says so). Absent and `null` mean no body.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable, type = "unknown"))]
    pub body: Value,
}

/// What an API answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// The vendor-shaped JSON body.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub body: Value,
}

impl Response {
    /// A response whose body is a typed value (its fields in declaration order, numbers exactly).
    pub fn of<T: Serialize + ?Sized>(status: u16, body: &T) -> Response {
        Response { status, body: serde_json::to_value(body).unwrap_or(Value::Null) }
    }
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
        View::from_text(text).map(|view| view.to_request())
    }

    /// Reads a request from a JSON value (see [`Request::from_json`]).
    pub fn from_value(value: &Value) -> Result<Request, Vec<Violation>> {
        View::from_json(Json::from_value(value)).map(|view| view.to_request())
    }
}

/// Name–value pairs (query parameters, headers, path parameters), borrowed where possible.
pub(crate) type Pairs<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// The value of `name` in pairs; a repeated name: the last one counts.
pub(crate) fn pair<'p>(pairs: &'p [(Cow<'_, str>, Cow<'_, str>)], name: &str) -> Option<&'p str> {
    pairs.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_ref())
}

/// A request borrowed from its JSON text or from a [`Request`]: what validation reads.
#[derive(Debug)]
pub(crate) struct View<'a> {
    pub(crate) profile: Cow<'a, str>,
    pub(crate) method: Cow<'a, str>,
    pub(crate) path: Cow<'a, str>,
    pub(crate) query: Pairs<'a>,
    pub(crate) headers: Pairs<'a>,
    pub(crate) body: Json<'a>,
}

impl<'a> View<'a> {
    /// A view of an owned request.
    pub(crate) fn of(request: &'a Request) -> View<'a> {
        let pairs = |m: &'a BTreeMap<String, String>| -> Pairs<'a> {
            m.iter().map(|(k, v)| (Cow::Borrowed(k.as_str()), Cow::Borrowed(v.as_str()))).collect()
        };
        View {
            profile: Cow::Borrowed(&request.profile),
            method: Cow::Borrowed(&request.method),
            path: Cow::Borrowed(&request.path),
            query: pairs(&request.query),
            headers: pairs(&request.headers),
            body: Json::from_value(&request.body),
        }
    }

    /// Reads a request from JSON text.
    pub(crate) fn from_text(text: &'a str) -> Result<View<'a>, Vec<Violation>> {
        match json::parse(text) {
            Ok(value) => View::from_json(value),
            Err(err) => Err(vec![invalid_json("", "the request", &err)]),
        }
    }

    /// Reads a request from a JSON value, reporting every problem with its place.
    pub(crate) fn from_json(value: Json<'a>) -> Result<View<'a>, Vec<Violation>> {
        let Json::Object(members) = value else {
            return Err(vec![Violation::error(
                "",
                Code::Type,
                format!(
                    "a request is a JSON object {{profile, method, path, query, headers, body}}; found {}",
                    value.kind()
                ),
            )]);
        };
        let mut errors = Vec::new();
        let (mut profile, mut method, mut path) = (None, None, None);
        let (mut query, mut headers) = (Vec::new(), Vec::new());
        let mut body = Json::Null;
        for (key, value) in members {
            match key.as_ref() {
                "profile" => profile = Some(string(&key, value, &mut errors)),
                "method" => method = Some(string(&key, value, &mut errors)),
                "path" => path = Some(string(&key, value, &mut errors)),
                "query" => query = string_pairs(&key, value, &mut errors),
                "headers" => headers = string_pairs(&key, value, &mut errors),
                "body" => body = value,
                _ => {
                    let mut ptr = Pointer::default();
                    ptr.push(&key);
                    errors.push(Violation::error(
                        ptr.as_str(),
                        Code::UnknownField,
                        format!(
                            "`{key}` is not part of a request; a request has profile, method, path, query, headers and body"
                        ),
                    ));
                }
            }
        }
        let mut required = |name: &str, value: Option<Option<Cow<'a, str>>>| -> Cow<'a, str> {
            match value {
                Some(Some(v)) => v,
                Some(None) => Cow::Borrowed(""),
                None => {
                    errors.push(Violation::error(format!("/{name}"), Code::Required, format!("`{name}` is required")));
                    Cow::Borrowed("")
                }
            }
        };
        let profile = required("profile", profile);
        let method = required("method", method);
        let path = required("path", path);
        if errors.is_empty() { Ok(View { profile, method, path, query, headers, body }) } else { Err(errors) }
    }

    /// An owned request with the same content.
    pub(crate) fn to_request(&self) -> Request {
        // Inserted one by one: `collect` into a map sorts the pairs first, and a sort is code of its
        // own for every element type, in every WebAssembly module that links it.
        let owned = |pairs: &Pairs<'_>| {
            let mut map = BTreeMap::new();
            for (k, v) in pairs {
                map.insert(k.to_string(), v.to_string());
            }
            map
        };
        Request {
            profile: self.profile.to_string(),
            method: self.method.to_string(),
            path: self.path.to_string(),
            query: owned(&self.query),
            headers: owned(&self.headers),
            body: self.body.to_value(),
        }
    }

    /// A header's value, its name matched without regard to case.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_ref())
    }
}

/// A required string member: `Some(value)`, or `None` after recording why it is not one.
/// `null` counts as missing.
fn string<'a>(key: &str, value: Json<'a>, errors: &mut Vec<Violation>) -> Option<Cow<'a, str>> {
    match value {
        Json::String(s) => Some(s),
        Json::Null => {
            errors.push(Violation::error(format!("/{key}"), Code::Required, format!("`{key}` is required")));
            None
        }
        other => {
            errors.push(Violation::error(
                format!("/{key}"),
                Code::Type,
                format!("`{key}` must be a string; found {}", other.kind()),
            ));
            None
        }
    }
}

fn string_pairs<'a>(key: &str, value: Json<'a>, errors: &mut Vec<Violation>) -> Pairs<'a> {
    let mut out = Vec::new();
    match value {
        Json::Null => {}
        Json::Object(entries) => {
            for (name, value) in entries {
                let mut ptr = Pointer::default();
                ptr.push(key);
                ptr.push(&name);
                match value {
                    Json::String(s) => out.push((name, s)),
                    Json::Number(text) => errors.push(
                        Violation::error(
                            ptr.as_str(),
                            Code::Type,
                            format!("`{key}` values are strings; write the number as the string \"{text}\""),
                        )
                        .with_suggestion(format!("\"{text}\"")),
                    ),
                    other => errors.push(Violation::error(
                        ptr.as_str(),
                        Code::Type,
                        format!("`{key}` values are strings; found {}", other.kind()),
                    )),
                }
            }
        }
        other => errors.push(Violation::error(
            format!("/{key}"),
            Code::Type,
            format!("`{key}` must be an object of strings; found {}", other.kind()),
        )),
    }
    out
}

/// The violation for text that is not strict JSON, with line, column and a hint.
pub(crate) fn invalid_json(path: &str, what: &str, err: &JsonError) -> Violation {
    let odd_space;
    let hint = match err.found {
        Some(c) if c.is_whitespace() && !matches!(c, ' ' | '\t' | '\n' | '\r') => {
            odd_space =
                format!(" (U+{:04X} is a space JSON does not allow; use a plain space or remove it)", u32::from(c));
            odd_space.as_str()
        }
        _ => match err.reason {
            "trailing comma" => " (strict JSON allows no comma before `}` or `]`: remove it)",
            "EOF while parsing" | "EOF while parsing a string" => " (the text ends before the JSON value is complete)",
            "key must be a string" => " (object keys are written in double quotes)",
            _ => "",
        },
    };
    Violation::error(path, Code::InvalidJson, format!("{what} is not strict JSON: {err}{hint}"))
}
