// `for (const report of validateBatch(bytes))`: every entry's report, written one at a time.
import { BatchResult } from './web/payrules_wasm.js';

BatchResult.prototype[Symbol.iterator] = function* reports() {
  const n = this.length;
  for (let i = 0; i < n; i++) yield this.report(i);
};
