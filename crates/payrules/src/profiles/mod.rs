//! The five vendor profiles: their operations (method, path, fields), routing and lifecycles.

pub mod activeplatform;
pub mod crmcom;
pub mod komet;
pub mod logisense;
pub mod plentymarkets;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::lifecycle::AnyLifecycle;
use crate::pointer::Pointer;
use crate::report::{Code, Report, Violation};
use crate::request::{Request, invalid_json, kind_of};
use crate::rules::{Ctx, Field, Src, Val, check_object, check_params};

/// One of the five payment APIs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Komet Sales `payment.mark.sync`.
    Komet,
    /// ActivePlatform "Complete a Payment".
    #[serde(rename = "activeplatform")]
    ActivePlatform,
    /// CRM.COM payments.
    Crmcom,
    /// plentymarkets REST payments.
    Plentymarkets,
    /// LogiSense Billing `Payment`.
    Logisense,
}

impl Profile {
    /// Every profile, in the order they are listed.
    pub const ALL: [Profile; 5] =
        [Profile::Komet, Profile::ActivePlatform, Profile::Crmcom, Profile::Plentymarkets, Profile::Logisense];

    /// The id used in requests, file names and the UI.
    pub fn id(self) -> &'static str {
        match self {
            Profile::Komet => "komet",
            Profile::ActivePlatform => "activeplatform",
            Profile::Crmcom => "crmcom",
            Profile::Plentymarkets => "plentymarkets",
            Profile::Logisense => "logisense",
        }
    }

    /// The vendor's product name.
    pub fn vendor(self) -> &'static str {
        match self {
            Profile::Komet => "Komet Sales",
            Profile::ActivePlatform => "ActivePlatform",
            Profile::Crmcom => "CRM.COM",
            Profile::Plentymarkets => "plentymarkets",
            Profile::Logisense => "LogiSense Billing",
        }
    }

    /// Every operation of the profile.
    pub fn operations(self) -> &'static [Operation] {
        match self {
            Profile::Komet => komet::OPERATIONS,
            Profile::ActivePlatform => activeplatform::OPERATIONS,
            Profile::Crmcom => crmcom::OPERATIONS,
            Profile::Plentymarkets => plentymarkets::OPERATIONS,
            Profile::Logisense => logisense::OPERATIONS,
        }
    }

    /// The payment lifecycle.
    pub fn lifecycle(self) -> &'static dyn AnyLifecycle {
        match self {
            Profile::Komet => &komet::LIFECYCLE,
            Profile::ActivePlatform => &activeplatform::LIFECYCLE,
            Profile::Crmcom => &crmcom::LIFECYCLE,
            Profile::Plentymarkets => &plentymarkets::LIFECYCLE,
            Profile::Logisense => &logisense::LIFECYCLE,
        }
    }

    /// The operation with this id (`plentymarkets.create_payment`).
    pub fn operation(self, id: &str) -> Option<&'static Operation> {
        self.operations().iter().find(|op| op.id == id)
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The profile id is not one of the five.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownProfile(pub String);

impl fmt::Display for UnknownProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown profile `{}`; the profiles are {}", self.0, profile_list())
    }
}

impl std::error::Error for UnknownProfile {}

fn profile_list() -> String {
    Profile::ALL.iter().map(|p| p.id()).collect::<Vec<_>>().join(", ")
}

impl FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL.into_iter().find(|p| p.id() == s).ok_or_else(|| UnknownProfile(s.to_owned()))
    }
}

/// An HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    fn parse(s: &str) -> Option<Method> {
        [Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

/// What an operation takes as its body.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", content = "fields", rename_all = "snake_case")]
pub enum Body {
    /// No body.
    None,
    /// A JSON object with these fields.
    Json(&'static [Field]),
    /// A JSON object or a form-encoded body (`Content-Type: application/x-www-form-urlencoded`).
    JsonOrForm(&'static [Field]),
}

/// A rule that spans fields (a conditional requirement, an ordering), needing no stored state.
pub(crate) type CrossCheck = fn(&Input<'_>, &mut Ctx);

/// One operation of one profile.
#[derive(Debug, Serialize)]
pub struct Operation {
    /// Unique id, `profile.name` (`crmcom.payments_create`).
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The vendor path with `{param}` placeholders.
    pub path: &'static str,
    /// One line for people.
    pub summary: &'static str,
    /// Path parameters, in the order they appear.
    pub params: &'static [Field],
    /// Query parameters.
    pub query: &'static [Field],
    /// Headers that are checked (others are ignored).
    pub headers: &'static [Field],
    /// The body.
    pub body: Body,
    /// Rules across fields, documented in `rules` for people.
    pub rules: &'static [&'static str],
    #[serde(skip)]
    pub(crate) cross: Option<CrossCheck>,
}

/// What a cross-field rule sees of a request.
#[derive(Debug)]
pub(crate) struct Input<'a> {
    pub(crate) body: Option<&'a Map<String, Value>>,
    pub(crate) src: Src,
    pub(crate) query: &'a BTreeMap<String, String>,
    /// Path parameters by name (`id` of `/Payment/{id}`), as written.
    pub(crate) params: &'a BTreeMap<String, String>,
}

impl<'a> Input<'a> {
    /// A body field, as a value to check.
    pub(crate) fn field(&self, name: &str) -> Option<Val<'a>> {
        let v = self.body?.get(name)?;
        if v.is_null() {
            return None;
        }
        Some(match (self.src, v) {
            (Src::Text, Value::String(s)) => Val::Text(s),
            _ => Val::Json(v),
        })
    }
}

/// An operation found for a request, with its path parameters.
#[derive(Debug)]
pub struct Route {
    /// The operation.
    pub operation: &'static Operation,
    /// Path parameters by name, as written in the path.
    pub params: BTreeMap<String, String>,
    /// Query parameters written in the path after `?`, decoded.
    pub path_query: Vec<(String, String)>,
}

/// Finds the operation for a method and path, or says why there is none.
pub fn route(profile: Profile, method: &str, path: &str) -> Result<Route, Violation> {
    let (path_only, query_text) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let trimmed = path_only.trim_end_matches('/');
    let segments: Vec<&str> = trimmed.split('/').filter(|s| !s.is_empty()).collect();
    let mut best: Option<(&'static Operation, usize)> = None;
    let mut other_methods: Vec<(&'static Operation, usize)> = Vec::new();
    let wanted = Method::parse(method);
    for op in profile.operations() {
        let tpl: Vec<&str> = op.path.split('/').filter(|s| !s.is_empty()).collect();
        if tpl.len() != segments.len() {
            continue;
        }
        let mut literal = 0;
        let fits = tpl.iter().zip(&segments).all(|(t, s)| {
            if t.starts_with('{') {
                true
            } else if t == s {
                literal += 1;
                true
            } else {
                false
            }
        });
        if !fits {
            continue;
        }
        if Some(op.method) != wanted {
            other_methods.push((op, literal));
            continue;
        }
        if best.is_none_or(|(_, l)| literal > l) {
            best = Some((op, literal));
        }
    }
    // A path written literally for another method (`/Payment/Vendor` answers POST) is that
    // operation asked with the wrong method, not a parameter route (`/Payment/{id}`).
    let other_best = other_methods.iter().map(|(_, l)| *l).max();
    if let (Some((_, l)), Some(o)) = (best, other_best)
        && o > l
    {
        best = None;
        other_methods.retain(|(_, ol)| *ol == o);
    }
    if let Some((op, _)) = best {
        let mut params = BTreeMap::new();
        let tpl = op.path.split('/').filter(|s| !s.is_empty());
        for (t, s) in tpl.zip(&segments) {
            if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                params.insert(name.to_owned(), percent_decode(s));
            }
        }
        let path_query = query_text.map(parse_form).unwrap_or_default();
        return Ok(Route { operation: op, params, path_query });
    }
    let shown = format!("{} {}", method.to_ascii_uppercase(), path_only);
    if !other_methods.is_empty() {
        let answers: Vec<String> =
            other_methods.iter().map(|(op, _)| format!("{} {}", op.method.as_str(), op.path)).collect();
        return Err(Violation::error(
            "/method",
            Code::UnknownRoute,
            format!("{} has no operation {shown}; that path answers {}", profile.vendor(), answers.join(", ")),
        ));
    }
    let ops: Vec<String> =
        profile.operations().iter().map(|op| format!("{} {}", op.method.as_str(), op.path)).collect();
    Err(Violation::error(
        "/path",
        Code::UnknownRoute,
        format!("{} has no operation {shown}; its operations are {}", profile.vendor(), ops.join(", ")),
    ))
}

/// Decodes `%XX` escapes and `+` (as a space) in a query or form component; bad escapes stay as written.
fn percent_decode_form(s: &str) -> String {
    percent_decode(&s.replace('+', " "))
}

/// Decodes `%XX` escapes; bad escapes stay as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%'
            && let Some(hex) = b.get(i + 1..i + 3)
            && let Ok(hex) = std::str::from_utf8(hex)
            && let Ok(v) = u8::from_str_radix(hex, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(c);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `a=1&b=2` (form or query text).
fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (percent_decode_form(k), percent_decode_form(v)),
            None => (percent_decode_form(pair), String::new()),
        })
        .collect()
}

/// Validates a request: routes it, then checks every stateless rule of its operation.
pub fn validate(request: &Request) -> Report {
    let profile = match request.profile.parse::<Profile>() {
        Ok(p) => p,
        Err(e) => {
            return Report::new(None, vec![Violation::error("/profile", Code::UnknownRoute, e.to_string())]);
        }
    };
    let route = match route(profile, &request.method, &request.path) {
        Ok(r) => r,
        Err(v) => return Report::new(None, vec![v]),
    };
    let op = route.operation;
    let mut ctx = Ctx::default();

    let mut ptr = Pointer::at("/path");
    check_params(&mut ctx, &mut ptr, &route.params, op.params, false);

    let merged;
    let query = if route.path_query.is_empty() {
        &request.query
    } else {
        let mut m = request.query.clone();
        for (k, v) in &route.path_query {
            m.entry(k.clone()).or_insert_with(|| v.clone());
        }
        merged = m;
        &merged
    };
    let mut ptr = Pointer::at("/query");
    check_params(&mut ctx, &mut ptr, query, op.query, true);

    let headers: BTreeMap<String, String> =
        op.headers.iter().filter_map(|f| request.header(f.name).map(|v| (f.name.to_owned(), v.to_owned()))).collect();
    let mut ptr = Pointer::at("/headers");
    check_params(&mut ctx, &mut ptr, &headers, op.headers, false);

    let parsed;
    let (body, src): (Option<&Map<String, Value>>, Src) = match (&op.body, &request.body) {
        (Body::None, Value::Null) => (None, Src::Json),
        (Body::None, Value::String(s)) if s.trim().is_empty() => (None, Src::Json),
        (Body::None, _) => {
            ctx.push(Violation::warning(
                "/body",
                Code::UnknownField,
                format!("{} {} takes no body; the body sent is ignored", op.method.as_str(), op.path),
            ));
            (None, Src::Json)
        }
        (Body::Json(_) | Body::JsonOrForm(_), Value::Null) => {
            ctx.push(Violation::error(
                "/body",
                Code::Required,
                format!("{} {} needs a JSON object body", op.method.as_str(), op.path),
            ));
            (None, Src::Json)
        }
        (Body::Json(_) | Body::JsonOrForm(_), Value::Object(map)) => (Some(map), Src::Json),
        (Body::JsonOrForm(_), Value::String(text)) if is_form(request) => {
            let mut map = Map::new();
            for (k, v) in parse_form(text) {
                map.insert(k, Value::String(v));
            }
            parsed = map;
            (Some(&parsed), Src::Text)
        }
        (Body::Json(_) | Body::JsonOrForm(_), Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => {
                parsed = map;
                (Some(&parsed), Src::Json)
            }
            Ok(other) => {
                ctx.push(Violation::error(
                    "/body",
                    Code::Type,
                    format!("the body must be a JSON object; found {}", kind_of(&other)),
                ));
                (None, Src::Json)
            }
            Err(err) => {
                ctx.push(invalid_json("/body", "the body", text, &err));
                (None, Src::Json)
            }
        },
        (Body::Json(_) | Body::JsonOrForm(_), other) => {
            ctx.push(Violation::error(
                "/body",
                Code::Type,
                format!("the body must be a JSON object; found {}", kind_of(other)),
            ));
            (None, Src::Json)
        }
    };
    if let (Some(map), Body::Json(fields) | Body::JsonOrForm(fields)) = (body, &op.body) {
        let mut ptr = Pointer::at("/body");
        check_object(&mut ctx, &mut ptr, map, fields, src);
    }
    if let Some(cross) = op.cross {
        cross(&Input { body, src, query, params: &route.params }, &mut ctx);
    }
    Report::new(Some(op.id), ctx.errors)
}

fn is_form(request: &Request) -> bool {
    request
        .header("content-type")
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"))
}

/// A profile described for people and tools: its operations with their fields, and its lifecycle.
#[derive(Debug, Serialize)]
pub struct ProfileDescription {
    /// The profile id.
    pub id: &'static str,
    /// The vendor's product name.
    pub vendor: &'static str,
    /// Every operation with its fields.
    pub operations: &'static [Operation],
    /// The lifecycle table.
    pub lifecycle: crate::lifecycle::LifecycleTable,
}

/// Every profile described, in order (`payrules profiles` prints this).
pub fn describe_all() -> Vec<ProfileDescription> {
    Profile::ALL
        .iter()
        .map(|&p| ProfileDescription {
            id: p.id(),
            vendor: p.vendor(),
            operations: p.operations(),
            lifecycle: p.lifecycle().table(),
        })
        .collect()
}
