// Node entry of `payrules/ledger`: its own module, compiled synchronously from the package's file
// on import (the validation module is neither needed nor loaded). `init()` is a no-op.
import { readFileSync } from 'node:fs';
import { initSync } from '../web/ledger/payrules_ledger.js';

initSync({ module: readFileSync(new URL('../web/ledger/payrules_ledger_bg.wasm', import.meta.url)) });

export * from '../web/ledger/payrules_ledger.js';

/** In Node the ledger is ready on import; this resolves at once. */
export default async function init() {}
