//! The ledger, in its own WebAssembly module: `crates/payrules-wasm-ledger`, which the Trunk hook
//! `scripts/build-web-ledger.sh` puts in the app's `ledger/` folder. The console loads it with
//! `import()` once its first paint is on screen and reaches it through the module's `Ledger` class;
//! this module links none of the ledger's code (its handlers, state types, sample world, views).

use wasm_bindgen::prelude::*;

/// Where the ledger module's JavaScript is, relative to the page.
pub const MODULE: &str = "ledger/payrules_ledger.js";

#[wasm_bindgen(inline_js = r#"
export function load_module(path) {
  return import(new URL(path, document.baseURI).href).then(async (m) => { await m.default(); return m; });
}
export function sample_ledger(m) { return new m.Ledger(); }
export function restore_ledger(m, text) { return m.Ledger.restore(text); }
"#)]
extern "C" {
    fn load_module(path: &str) -> js_sys::Promise;
    #[wasm_bindgen(catch)]
    fn sample_ledger(module: &JsValue) -> Result<JsLedger, JsValue>;
    #[wasm_bindgen(catch)]
    fn restore_ledger(module: &JsValue, text: &str) -> Result<JsLedger, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// A `Ledger` of the ledger module (the page's clock, `Date.now()`).
    #[derive(Debug, Clone)]
    pub type JsLedger;
    /// Answers a request given as JSON text, as exact JSON text `{"status","body"}`.
    #[wasm_bindgen(method, catch, js_name = handleJson)]
    pub fn handle_json(this: &JsLedger, text: &str) -> Result<String, JsValue>;
    /// The whole state as JSON text.
    #[wasm_bindgen(method)]
    pub fn snapshot(this: &JsLedger) -> String;
    /// The whole state as JSON text, credentials removed.
    #[wasm_bindgen(method, js_name = snapshotWithoutTokens)]
    pub fn snapshot_without_tokens(this: &JsLedger) -> String;
    /// What the console shows of the world (`payrules::ledger::view::WorldView`) as JSON text.
    #[wasm_bindgen(method, catch, js_name = consoleView)]
    pub fn console_view(this: &JsLedger) -> Result<String, JsValue>;
    /// Releases the ledger's memory in its module.
    #[wasm_bindgen(method)]
    pub fn free(this: &JsLedger);
}

/// Starts loading the ledger module; the promise resolves to the initialized module.
pub fn load() -> js_sys::Promise {
    load_module(MODULE)
}

/// The ledger module, loaded and initialized.
#[derive(Debug, Clone)]
pub struct Module(pub JsValue);

impl Module {
    /// A ledger on the sample world (embedded in the ledger module).
    pub fn sample(&self) -> Result<JsLedger, String> {
        sample_ledger(&self.0).map_err(|e| crate::state::js_message(&e))
    }

    /// A ledger from a snapshot; the error says why it was refused.
    pub fn restore(&self, text: &str) -> Result<JsLedger, String> {
        restore_ledger(&self.0, text).map_err(|e| crate::state::js_message(&e))
    }
}
