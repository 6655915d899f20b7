//! The payrules engine for JavaScript (the npm package `payrules`): each export reads its input,
//! calls the core, and returns the core's answer. No rule lives here.
//!
//! Two channels: a domain problem (an invalid request, a refused payment) comes back as data; a
//! broken contract (an argument that is not a request object, a damaged snapshot) throws an `Error`
//! whose message says why. Objects cross the boundary as JSON text, read by the core's own reader,
//! so JavaScript gets the same verdict as native code. The `…Json` variants return the core's exact
//! text: a JavaScript number cannot hold `12.3400` or `12345678901234567890`.

use js_sys::JSON;
use payrules::ledger::{Clock, SteppingClock, Timestamp};
use payrules::{Profile, Report};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// JSON text to a JavaScript value (`JSON.parse`); the text always comes from serde_json.
fn to_js(text: &str) -> Result<JsValue, JsError> {
    JSON::parse(text).map_err(|e| JsError::new(&format!("payrules produced JSON JavaScript could not read: {e:?}")))
}

fn serialize<T: serde::Serialize>(value: &T) -> Result<String, JsError> {
    serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))
}

/// A request object as JSON text, or the broken contract that prevents it.
fn request_text(request: &JsValue, call: &str) -> Result<String, JsError> {
    let shape = "a request object {profile, method, path, query?, headers?, body?}";
    if !request.is_object() || js_sys::Array::is_array(request) {
        return Err(JsError::new(&format!("{call} expects {shape}; got {}", js_type(request))));
    }
    for key in ["profile", "method", "path"] {
        let value = js_sys::Reflect::get(request, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
        if !value.is_string() {
            return Err(JsError::new(&format!("{call}: `{key}` must be a string; got {}", js_type(&value))));
        }
    }
    let text = JSON::stringify(request)
        .map_err(|e| JsError::new(&format!("{call}: the request cannot be written as JSON: {}", error_message(&e))))?;
    text.as_string().ok_or_else(|| JsError::new(&format!("{call}: the request cannot be written as JSON")))
}

fn js_type(value: &JsValue) -> String {
    if value.is_null() {
        "null".to_owned()
    } else if js_sys::Array::is_array(value) {
        "an array".to_owned()
    } else {
        value.js_typeof().as_string().unwrap_or_else(|| "something else".to_owned())
    }
}

fn error_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map_or_else(|| format!("{e:?}"), |err| String::from(err.message()))
}

/// The verdict on one request object: `{valid, operation, errors: [{path, code, severity, message, suggestion?}]}`.
#[wasm_bindgen]
pub fn validate(request: &JsValue) -> Result<JsValue, JsError> {
    let text = request_text(request, "validate")?;
    to_js(&validate_json(&text)?)
}

/// The verdict on one request given as JSON text, as JSON text (exact: the CLI prints the same bytes).
#[wasm_bindgen(js_name = validateJson)]
pub fn validate_json(text: &str) -> Result<String, JsError> {
    serialize(&payrules::validate_json(text))
}

/// The verdicts on many requests given as UTF-8 JSON Lines: one report per non-blank line, in order.
/// The bytes are read in place (no per-object conversion, no JavaScript string copy).
#[wasm_bindgen(js_name = validateBatch)]
pub fn validate_batch(bytes: &[u8]) -> Result<JsValue, JsError> {
    to_js(&validate_batch_json(bytes)?)
}

/// Like `validateBatch`, as exact JSON Lines text (one report per line, as `payrules validate` prints).
#[wasm_bindgen(js_name = validateBatchJson)]
pub fn validate_batch_json(bytes: &[u8]) -> Result<String, JsError> {
    let mut out = String::with_capacity(bytes.len() / 2);
    out.push('[');
    let mut first = true;
    for report in bytes.split(|&b| b == b'\n').filter_map(payrules::validate_json_bytes) {
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&serialize::<Report>(&report)?);
    }
    out.push(']');
    Ok(out)
}

/// Every profile with its operations, fields and lifecycle (what `payrules profiles` prints).
#[wasm_bindgen]
pub fn profiles() -> Result<JsValue, JsError> {
    to_js(&serialize(&payrules::profiles::describe_all())?)
}

fn profile(name: &str) -> Result<Profile, JsError> {
    name.parse::<Profile>().map_err(|e| JsError::new(&e.to_string()))
}

/// The actions allowed on a payment of `profile` in `state`: `[{action, to}]`. An unknown profile
/// throws; a status the profile does not have comes back as `{error: {kind, …}}`.
#[wasm_bindgen(js_name = allowedActions)]
pub fn allowed_actions(profile_name: &str, state: &str) -> Result<JsValue, JsError> {
    let text = match payrules::allowed_actions(profile(profile_name)?, state) {
        Ok(actions) => serialize(&actions)?,
        Err(e) => serialize(&serde_json::json!({ "error": e, "message": e.to_string() }))?,
    };
    to_js(&text)
}

/// A profile's lifecycle as a Mermaid state diagram.
#[wasm_bindgen]
pub fn diagram(profile_name: &str) -> Result<String, JsError> {
    Ok(profile(profile_name)?.lifecycle().mermaid())
}

/// The browser's or Node's clock, read through `Date.now()`.
#[derive(Debug)]
struct JsClock;

impl Clock for JsClock {
    fn now(&mut self) -> Timestamp {
        // Date.now() is a whole number of milliseconds well inside i64.
        #[allow(clippy::cast_possible_truncation)]
        Timestamp::from_unix_millis(js_sys::Date::now() as i64)
    }
}

/// `{now: "2024-01-01T09:00:00Z"}` gives a reproducible clock (one second per request); no options,
/// the real clock.
fn clock(options: Option<JsValue>) -> Result<Box<dyn Clock>, JsError> {
    let Some(options) = options.filter(|o| !o.is_undefined() && !o.is_null()) else {
        return Ok(Box::new(JsClock));
    };
    let now = js_sys::Reflect::get(&options, &JsValue::from_str("now")).unwrap_or(JsValue::UNDEFINED);
    if now.is_undefined() {
        return Ok(Box::new(JsClock));
    }
    let text = now.as_string().ok_or_else(|| JsError::new("options.now must be an RFC 3339 date-time string"))?;
    let start = Timestamp::parse(&text)
        .ok_or_else(|| JsError::new(&format!("options.now `{text}` is not an RFC 3339 date-time")))?;
    Ok(Box::new(SteppingClock::new(start, 1000)))
}

/// A stateful emulation of the five APIs, in the page or in Node.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Ledger {
    inner: payrules::ledger::Ledger,
}

#[wasm_bindgen]
impl Ledger {
    /// A ledger on the sample world. `options.now` starts a reproducible clock.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<JsValue>) -> Result<Ledger, JsError> {
        Ok(Ledger { inner: payrules::ledger::Ledger::sample(clock(options)?) })
    }

    /// A ledger with no records.
    pub fn empty(options: Option<JsValue>) -> Result<Ledger, JsError> {
        Ok(Ledger { inner: payrules::ledger::Ledger::empty(clock(options)?) })
    }

    /// A ledger from a snapshot; a damaged snapshot throws, nothing of it is used.
    pub fn restore(snapshot: &str, options: Option<JsValue>) -> Result<Ledger, JsError> {
        payrules::ledger::Ledger::restore(snapshot, clock(options)?)
            .map(|inner| Ledger { inner })
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Answers a request object: `{status, body}`.
    pub fn handle(&mut self, request: &JsValue) -> Result<JsValue, JsError> {
        let text = request_text(request, "Ledger.handle")?;
        to_js(&self.handle_json(&text)?)
    }

    /// Answers a request given as JSON text, as exact JSON text `{"status","body"}`.
    #[wasm_bindgen(js_name = handleJson)]
    pub fn handle_json(&mut self, text: &str) -> Result<String, JsError> {
        serialize(&self.inner.handle_json(text))
    }

    /// The whole state as JSON text.
    pub fn snapshot(&self) -> String {
        self.inner.snapshot()
    }
}
