//! A request's credentials, as the operation tables type them (every field of type
//! [`Ty::Token`], and any `Authorization` header): removed before a
//! request is kept or shown, and filled back from what a user typed.
//!
//! A credential is named by its JSON Pointer in the request — `/headers/authorization`,
//! `/query/api_token`, `/body/authenticationToken` — the pointer its violations carry and the
//! console's form keys its inputs by.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::profiles::{parse_form, route};
use crate::rules::{Field, Token, Ty};
use crate::{Profile, Request};

/// Where a credential travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Query,
    Header,
    Body,
}

impl Part {
    fn root(self) -> &'static str {
        match self {
            Part::Query => "/query/",
            Part::Header => "/headers/",
            Part::Body => "/body/",
        }
    }
}

fn tokens(fields: &'static [Field]) -> impl Iterator<Item = (&'static str, &'static Token)> {
    fields.iter().filter_map(|f| match &f.ty {
        Ty::Token(token) => Some((f.name, token)),
        _ => None,
    })
}

fn body_fields(op: &'static crate::Operation) -> &'static [Field] {
    match op.body {
        crate::profiles::Body::Json(fields) | crate::profiles::Body::JsonOrForm(fields) => fields,
        crate::profiles::Body::None => &[],
    }
}

/// The credential fields of one operation.
fn of_operation(op: &'static crate::Operation) -> Vec<(Part, &'static str, &'static Token)> {
    let mut out: Vec<_> = tokens(op.query).map(|(n, t)| (Part::Query, n, t)).collect();
    out.extend(tokens(op.headers).map(|(n, t)| (Part::Header, n, t)));
    out.extend(tokens(body_fields(op)).map(|(n, t)| (Part::Body, n, t)));
    out
}

/// Every name any operation of any profile gives a credential, by part (so a request that
/// routes nowhere, or names no known profile, still loses them), and `Authorization`.
fn every_name() -> Vec<(Part, &'static str)> {
    let mut out = vec![(Part::Header, "authorization")];
    for profile in Profile::ALL {
        for op in profile.operations() {
            for (part, name, _) in of_operation(op) {
                if !out.contains(&(part, name)) {
                    out.push((part, name));
                }
            }
        }
    }
    out
}

/// The request with a path's `?query` moved into `query` (decoded), so every query value is in
/// one place.
fn normalized(request: &Request) -> Request {
    let mut out = request.clone();
    if let Some((path, query)) = request.path.split_once('?') {
        path.clone_into(&mut out.path);
        for (k, v) in parse_form(query) {
            out.query.entry(k.into_owned()).or_insert_with(|| v.into_owned());
        }
    }
    out
}

/// Changes the named body members: `change(name)` gives `Some(Some(value))` to set it,
/// `Some(None)` to remove it, `None` to leave it. A body given as text (JSON or form-encoded) stays text.
fn edit_body(body: &mut Value, names: &[&str], change: &dyn Fn(&str) -> Option<Option<String>>) {
    fn edit_map(map: &mut Map<String, Value>, names: &[&str], change: &dyn Fn(&str) -> Option<Option<String>>) {
        for name in names {
            match change(name) {
                Some(Some(v)) => {
                    map.insert((*name).to_owned(), Value::String(v));
                }
                Some(None) => {
                    map.remove(*name);
                }
                None => {}
            }
        }
    }
    match body {
        Value::Object(map) => edit_map(map, names, change),
        Value::String(text) => {
            // The core's reader (numbers keep their text), not serde_json's: the console links no other.
            if let Ok(Value::Object(mut map)) = crate::json::parse(text).map(|j| j.to_value()) {
                edit_map(&mut map, names, change);
                *text = Value::Object(map).to_string();
            } else if text.contains('=') || text.trim().is_empty() {
                // Form-encoded: the other pairs keep their text as written.
                let mut pairs: Vec<String> = Vec::new();
                let mut seen = Vec::new();
                for raw in text.split('&').filter(|p| !p.is_empty()) {
                    let key = parse_form(raw).into_iter().next().map(|(k, _)| k.into_owned()).unwrap_or_default();
                    match names.iter().find(|n| **n == key).map(|n| (n, change(n))) {
                        Some((n, Some(Some(v)))) => {
                            if !seen.contains(n) {
                                seen.push(*n);
                                pairs.push(format!("{}={}", encode(n), encode(&v)));
                            }
                        }
                        Some((_, Some(None))) => {}
                        _ => pairs.push(raw.to_owned()),
                    }
                }
                for n in names.iter().filter(|n| !seen.contains(n)) {
                    if let Some(Some(v)) = change(n)
                        && !text.split('&').any(|raw| parse_form(raw).first().is_some_and(|(k, _)| k == n))
                    {
                        pairs.push(format!("{}={}", encode(n), encode(&v)));
                    }
                }
                *text = pairs.join("&");
            }
        }
        Value::Null if names.iter().any(|n| matches!(change(n), Some(Some(_)))) => {
            let mut map = Map::new();
            edit_map(&mut map, names, change);
            *body = Value::Object(map);
        }
        _ => {}
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The request without any credential: every field any operation types as a token (in the query,
/// also written after `?` in the path; in the headers, matched without regard to case; in the
/// body, as JSON or form text) and any `Authorization` header are removed.
///
/// ```
/// let request = payrules::Request::from_json(
///     r#"{"profile":"crmcom","method":"GET","path":"/payments/show?token=ABC","headers":{"Authorization":"Bearer x"}}"#,
/// ).unwrap();
/// let kept = payrules::credentials::without(&request);
/// assert!(kept.query.is_empty() && kept.headers.is_empty() && kept.path == "/payments/show");
/// ```
pub fn without(request: &Request) -> Request {
    let mut out = normalized(request);
    let names = every_name();
    out.headers.retain(|k, _| !names.iter().any(|(p, n)| *p == Part::Header && k.eq_ignore_ascii_case(n)));
    out.query.retain(|k, _| !names.iter().any(|(p, n)| *p == Part::Query && k == n));
    let body: Vec<&str> = names.iter().filter(|(p, _)| *p == Part::Body).map(|(_, n)| *n).collect();
    edit_body(&mut out.body, &body, &|_| Some(None));
    out
}

/// The credential pointers of the operation `request` routes to (none when it routes nowhere).
pub fn pointers(request: &Request) -> Vec<String> {
    operation_tokens(request).into_iter().map(|(part, name, _)| format!("{}{name}", part.root())).collect()
}

fn operation_tokens(request: &Request) -> Vec<(Part, &'static str, &'static Token)> {
    let Ok(profile) = request.profile.parse::<Profile>() else { return Vec::new() };
    match route(profile, &request.method, &request.path) {
        Ok(route) => of_operation(route.operation),
        Err(_) => Vec::new(),
    }
}

/// A stand-in for a credential that is not shown: `Bearer <token>` for a bearer header,
/// `<name>` otherwise (`<api_token>`).
pub fn placeholder(pointer: &str) -> String {
    let name = pointer.rsplit('/').next().unwrap_or(pointer);
    if name.eq_ignore_ascii_case("authorization") { "Bearer <token>".to_owned() } else { format!("<{name}>") }
}

/// Whether a credential's value is still to be filled: empty, or an `Authorization` scheme with no
/// token (`Bearer `, as a request whose token was removed carries it).
///
/// ```
/// use payrules::credentials::is_unfilled;
/// assert!(is_unfilled("") && is_unfilled("  ") && is_unfilled("Bearer ") && is_unfilled("bearer"));
/// assert!(!is_unfilled("Bearer t") && !is_unfilled("key-123"));
/// ```
pub fn is_unfilled(value: &str) -> bool {
    let v = value.trim();
    v.is_empty()
        || v.get(..6).is_some_and(|b| b.eq_ignore_ascii_case("bearer"))
            && v.get(6..).is_some_and(|t| t.trim().is_empty())
}

/// The request with the credentials of its operation set from `known` (called with each
/// credential's pointer); a credential `known` does not give is left as it is (or absent).
///
/// ```
/// let request = payrules::Request::from_json(r#"{"profile":"plentymarkets","method":"GET","path":"/rest/payments"}"#).unwrap();
/// let filled = payrules::credentials::fill(&request, |p| (p == "/headers/authorization").then(|| "Bearer t".to_owned()));
/// assert_eq!(filled.header("Authorization"), Some("Bearer t"));
/// ```
pub fn fill(request: &Request, known: impl Fn(&str) -> Option<String>) -> Request {
    let mut out = normalized(request);
    let mut body = Vec::new();
    for (part, name, _) in operation_tokens(request) {
        let Some(value) = known(&format!("{}{name}", part.root())) else { continue };
        match part {
            Part::Query => {
                out.query.insert(name.to_owned(), value);
            }
            Part::Header => {
                out.headers.retain(|k, _| !k.eq_ignore_ascii_case(name));
                out.headers.insert(header_name(name), value);
            }
            Part::Body => body.push((name, value)),
        }
    }
    let names: Vec<&str> = body.iter().map(|(n, _)| *n).collect();
    edit_body(&mut out.body, &names, &|n| body.iter().find(|(b, _)| *b == n).map(|(_, v)| Some(v.clone())));
    out
}

/// A header's name as people write it (`authorization` → `Authorization`): each word's first
/// letter in capitals, by ASCII case mapping (a header name is an ASCII token; a letter outside
/// ASCII is left as it is).
fn header_name(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut w = w.to_owned();
            if let Some(first) = w.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            w
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(text: &str) -> Request {
        Request::from_json(text).unwrap()
    }

    #[test]
    fn removes_every_credential_wherever_it_travels() {
        let header = request(
            r#"{"profile":"plentymarkets","method":"POST","path":"/rest/payments","headers":{"AUTHORIZATION":"Bearer s3cret","X-Other":"1"},"body":{"amount":12.3400}}"#,
        );
        let kept = without(&header);
        assert_eq!(kept.headers.len(), 1);
        assert_eq!(kept.body.to_string(), r#"{"amount":12.3400}"#);
        let query = request(
            r#"{"profile":"activeplatform","method":"POST","path":"/api/vendor/v1/payments/5/complete.json?api_token=s3cret&x=1","body":"payment_method_id=5"}"#,
        );
        let kept = without(&query);
        assert_eq!(kept.path, "/api/vendor/v1/payments/5/complete.json");
        assert_eq!(kept.query.into_iter().collect::<Vec<_>>(), vec![("x".to_owned(), "1".to_owned())]);
        let json_text = request(
            r#"{"profile":"komet","method":"POST","path":"/api/payment.mark.sync","body":"{\"authenticationToken\":\"s3cret\",\"payments\":[{\"paymentId\":1}]}"}"#,
        );
        assert_eq!(without(&json_text).body, Value::String(r#"{"payments":[{"paymentId":1}]}"#.to_owned()));
        let form = request(
            r#"{"profile":"crmcom","method":"POST","path":"/payments/post","body":"token=s3cret&payment_identifier=a%3Db"}"#,
        );
        assert_eq!(without(&form).body, Value::String("payment_identifier=a%3Db".to_owned()));
        // A request that routes nowhere loses them too.
        let unknown = request(
            r#"{"profile":"nope","method":"GET","path":"/x","query":{"token":"s3cret"},"headers":{"authorization":"x"}}"#,
        );
        let kept = without(&unknown);
        assert!(kept.query.is_empty() && kept.headers.is_empty());
        for r in [header, query, json_text, form, unknown] {
            assert!(!serde_json::to_string(&without(&r)).unwrap().contains("s3cret"));
        }
    }

    #[test]
    fn fills_the_operations_credentials_back() {
        let known = |p: &str| match p {
            "/headers/authorization" => Some("Bearer t".to_owned()),
            "/query/token" | "/body/token" => Some("ABC".to_owned()),
            "/body/authenticationToken" => Some("k".to_owned()),
            _ => None,
        };
        let plenty = request(
            r#"{"profile":"plentymarkets","method":"GET","path":"/rest/payments","headers":{"authorization":"old"}}"#,
        );
        let filled = fill(&plenty, known);
        assert_eq!(filled.headers.len(), 1);
        assert_eq!(filled.header("authorization"), Some("Bearer t"));
        let show = request(r#"{"profile":"crmcom","method":"GET","path":"/payments/show?payment_identifier=id%3D1"}"#);
        let filled = fill(&show, known);
        assert_eq!(filled.query.get("token").map(String::as_str), Some("ABC"));
        assert_eq!(filled.query.get("payment_identifier").map(String::as_str), Some("id=1"));
        let komet = request(
            r#"{"profile":"komet","method":"POST","path":"/api/payment.mark.sync","body":"{\"payments\":[]}"}"#,
        );
        assert_eq!(fill(&komet, known).body, Value::String(r#"{"payments":[],"authenticationToken":"k"}"#.to_owned()));
        let form =
            request(r#"{"profile":"crmcom","method":"POST","path":"/payments/post","body":"payment_identifier=x"}"#);
        assert_eq!(fill(&form, known).body, Value::String("payment_identifier=x&token=ABC".to_owned()));
        assert_eq!(pointers(&form), vec!["/body/token".to_owned()]);
        // Nothing known: nothing changes.
        assert_eq!(fill(&komet, |_| None), komet);
        assert_eq!(placeholder("/headers/authorization"), "Bearer <token>");
        assert_eq!(placeholder("/query/api_token"), "<api_token>");
    }
}
