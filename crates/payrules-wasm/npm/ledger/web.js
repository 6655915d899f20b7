// Browser entry of `payrules/ledger` (a plain ES module): importing it fetches and instantiates
// the ledger's own module (web/ledger/payrules_ledger_bg.wasm, next to its glue), so the first
// `import('payrules/ledger')` is the moment it loads. `init()` resolves at once afterwards.
import init from '../web/ledger/payrules_ledger.js';

await init();

export * from '../web/ledger/payrules_ledger.js';
export { init as default };
