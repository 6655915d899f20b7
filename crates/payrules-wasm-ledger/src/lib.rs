//! The ledger of the npm package `payrules` (its second WebAssembly module, `payrules/ledger`): a
//! stateful emulation of the five APIs. It is loaded only by code that imports `payrules/ledger`, so
//! `import { validate } from 'payrules'` never fetches or compiles it.
//!
//! The same two channels as the validation module: a refused payment is data (`{status, body}`), a
//! broken contract (not a request object, a damaged snapshot) throws an `Error` that says why.

use payrules::ledger::{Clock, SteppingClock, Timestamp};
use wasm_bindgen::prelude::*;

#[path = "../../payrules-wasm/src/boundary.rs"]
mod boundary;
#[cfg(feature = "console")]
mod console;

use boundary::{request_text, serialize, to_js};

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
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
