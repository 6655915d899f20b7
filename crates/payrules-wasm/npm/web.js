// Browser entry of `payrules` (validation, a plain ES module): call `await init()` once, then use
// the functions. The ledger is another module, `payrules/ledger`: nothing here loads it.
import './batch.js';

export { default } from './web/payrules_wasm.js';
export * from './web/payrules_wasm.js';
export { allowedActions, diagram, profiles } from './profiles.js';
