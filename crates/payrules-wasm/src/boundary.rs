//! What both modules of the package (validation: `payrules-wasm`, the ledger: `payrules-wasm-ledger`)
//! do at the boundary: read a request object as JSON text, hand JSON text back as a JavaScript value,
//! and say why a contract is broken. The ledger crate includes this file (`#[path]`), so neither
//! module links the other's exports.

use js_sys::JSON;
use wasm_bindgen::prelude::*;

/// Each module's allocator: talc, growing the wasm memory as it needs; smaller than std's dlmalloc
/// and as fast or faster (BENCHMARKS.md).
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// JSON text to a JavaScript value (`JSON.parse`); the text always comes from the core's writer.
// The ledger's (its answers carry amounts as exact text); the validation module's reports become
// objects without JSON text.
#[allow(dead_code)]
pub(crate) fn to_js(text: &str) -> Result<JsValue, JsError> {
    JSON::parse(text).map_err(|e| JsError::new(&format!("payrules produced JSON JavaScript could not read: {e:?}")))
}

// The ledger's; the validation module writes its JSON without serde (`Report::to_json`).
#[allow(dead_code)]
pub(crate) fn serialize<T: serde::Serialize>(value: &T) -> Result<String, JsError> {
    serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))
}

/// A request object as JSON text, or the broken contract that prevents it.
pub(crate) fn request_text(request: &JsValue, call: &str) -> Result<String, JsError> {
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
