//! The JSON the console reads — the ledger's views of a world, its answers and the saved request
//! log — read with the core's own reader (`payrules::json`, which validation links anyway) rather
//! than serde's derived readers, which would bring serde_json's parser into the console's module.
//! The shapes are the serde shapes those types are written in (`serde_json::to_string`);
//! `tests/components.rs` reads the same texts both ways and compares.

use payrules::Response;
use payrules::json::{self, Json};
use payrules::ledger::view::{ActionEntry, PaymentView, ProfileView, RelationView, WorldView};
use serde_json::Value;

use crate::state::Sent;

type Read<T> = Result<T, String>;

fn field<'j, 'a>(j: &'j Json<'a>, key: &str) -> Read<&'j Json<'a>> {
    j.get(key).ok_or_else(|| format!("`{key}` is missing"))
}

fn string(j: &Json<'_>, key: &str) -> Read<String> {
    field(j, key)?.as_str().map(str::to_owned).ok_or_else(|| format!("`{key}` is not a string"))
}

/// `null` (or absent) as `None`.
fn optional(j: &Json<'_>, key: &str) -> Read<Option<String>> {
    match j.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(v) => v.as_str().map(|s| Some(s.to_owned())).ok_or_else(|| format!("`{key}` is not a string")),
    }
}

fn array<'j, 'a>(j: &'j Json<'a>, key: &str) -> Read<&'j [Json<'a>]> {
    field(j, key)?.as_array().ok_or_else(|| format!("`{key}` is not an array"))
}

fn number<T: std::str::FromStr>(j: &Json<'_>, key: &str) -> Read<T> {
    match field(j, key)? {
        Json::Number(n) => n.parse().map_err(|_| format!("`{key}` is out of range")),
        _ => Err(format!("`{key}` is not a number")),
    }
}

fn each<T>(items: &[Json<'_>], read: impl Fn(&Json<'_>) -> Read<T>) -> Read<Vec<T>> {
    items.iter().map(read).collect()
}

/// `[["name", "value"], …]`.
fn pairs(j: &Json<'_>, key: &str) -> Read<Vec<(String, String)>> {
    each(array(j, key)?, |pair| match pair.as_array() {
        Some([Json::String(k), Json::String(v)]) => Ok((k.clone().into_owned(), v.clone().into_owned())),
        _ => Err(format!("`{key}` holds something else than pairs of strings")),
    })
}

fn payment(j: &Json<'_>) -> Read<PaymentView> {
    Ok(PaymentView {
        key: string(j, "key")?,
        label: string(j, "label")?,
        amount: optional(j, "amount")?,
        currency: optional(j, "currency")?,
        status: string(j, "status")?,
        fields: pairs(j, "fields")?,
        facets: pairs(j, "facets")?,
        relations: each(array(j, "relations")?, |r| {
            Ok(RelationView { kind: string(r, "kind")?, label: string(r, "label")?, payment: optional(r, "payment")? })
        })?,
    })
}

fn action(j: &Json<'_>) -> Read<ActionEntry> {
    let verdict = field(j, "verdict")?;
    let verdict = match (verdict.get("Ok"), verdict.get("Err")) {
        (Some(request), None) => Ok(request.to_value()),
        (None, Some(Json::String(why))) => Err(why.clone().into_owned()),
        _ => return Err("`verdict` is neither {\"Ok\": request} nor {\"Err\": reason}".to_owned()),
    };
    Ok(ActionEntry { action: string(j, "action")?, verdict })
}

/// A `WorldView` as `payrules::ledger::view::world_view` writes it.
pub fn world_view(text: &str) -> Read<WorldView> {
    let j = json::parse(text).map_err(|e| e.to_string())?;
    let profiles = each(array(&j, "profiles")?, |p| {
        Ok(ProfileView {
            profile: string(p, "profile")?,
            payments: each(array(p, "payments")?, payment)?,
            actions: each(array(p, "actions")?, |list| {
                each(list.as_array().ok_or("an entry of `actions` is not an array")?, action)
            })?,
        })
    })?;
    Ok(WorldView { profiles, komet_batch_token: string(&j, "komet_batch_token")? })
}

/// A `Response` as the ledger writes it: `{"status", "body"}` (the body's numbers keep their text).
pub fn response(text: &str) -> Read<Response> {
    let j = json::parse(text).map_err(|e| e.to_string())?;
    Ok(Response { status: number(&j, "status")?, body: field(&j, "body")?.to_value() })
}

/// Any JSON text as a value (numbers keep their text); `None` when it is not JSON.
pub fn value(text: &str) -> Option<Value> {
    json::parse(text).ok().map(|j| j.to_value())
}

/// The request log as it is saved (`Vec<Sent>` written by serde).
pub fn history(text: &str) -> Read<Vec<Sent>> {
    let j = json::parse(text).map_err(|e| e.to_string())?;
    each(j.as_array().ok_or("the log is not an array")?, |s| {
        Ok(Sent {
            n: number(s, "n")?,
            profile: string(s, "profile")?,
            method: string(s, "method")?,
            path: string(s, "path")?,
            status: number(s, "status")?,
            touched: each(array(s, "touched")?, |t| {
                t.as_str().map(str::to_owned).ok_or_else(|| "a touched key is not a string".to_owned())
            })?,
            // Logs saved before these were kept read as empty.
            at: if s.get("at").is_some() { number(s, "at")? } else { 0 },
            server: optional(s, "server")?.unwrap_or_else(|| crate::state::BROWSER.to_owned()),
            sandbox: optional(s, "sandbox")?.unwrap_or_default(),
            request: optional(s, "request")?.unwrap_or_default(),
            errors: if s.get("errors").is_some() { number(s, "errors")? } else { 0 },
            warnings: if s.get("warnings").is_some() { number(s, "warnings")? } else { 0 },
            response: optional(s, "response")?.unwrap_or_default(),
        })
    })
}
