// Node entry of `payrules` (validation): the module is compiled synchronously from the package's own
// file on import, so `import { validate } from 'payrules'` works with no flags and no bundler.
// `init()` is a no-op here, so code written for browsers (`await init()`) runs unchanged.
// The ledger is another module, `payrules/ledger`: nothing here loads it.
import { readFileSync } from 'node:fs';
import { initSync } from './web/payrules_wasm.js';
import './batch.js';

initSync({ module: readFileSync(new URL('./web/payrules_wasm_bg.wasm', import.meta.url)) });

export * from './web/payrules_wasm.js';
export { allowedActions, diagram, profiles } from './profiles.js';

/** In Node the engine is ready on import; this resolves at once. */
export default async function init() {}
