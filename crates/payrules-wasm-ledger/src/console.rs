//! What the payrules console asks of this module besides `handle`: the views of the ledger's world
//! as data, and the export without credentials. The console's own module links no ledger code: it
//! loads this one (`import()`) and reads what these answer. Compiled with the feature `console`
//! only (`scripts/build-web-ledger.sh`), so the npm package's ledger module does not carry them.
//!
//! Everything crosses as JSON text, never as JavaScript objects: the action requests carry amounts
//! whose exact text must survive (`12.3400`), and the console reads the text with the same serde
//! types the core wrote it from (`payrules::ledger::view::WorldView`).

use payrules::ledger::view::world_view;
use wasm_bindgen::prelude::*;

use crate::Ledger;
use crate::boundary::serialize;

#[wasm_bindgen]
impl Ledger {
    /// Every profile's payments with their actions, and the Komet batch token, as JSON text
    /// (`WorldView`: `{"profiles":[{"profile","payments","actions"}],"komet_batch_token"}`).
    #[wasm_bindgen(js_name = consoleView)]
    pub fn console_view(&self) -> Result<String, JsError> {
        serialize(&world_view(self.inner.world()))
    }

    /// The whole state as JSON text without credentials (what the console exports by default).
    #[wasm_bindgen(js_name = snapshotWithoutTokens)]
    pub fn snapshot_without_tokens(&self) -> String {
        self.inner.snapshot_without_tokens()
    }
}
