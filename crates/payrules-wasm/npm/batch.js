// BatchResult in JavaScript:
// - `report(i)` builds entry i's report object from one string, `reportParts(i)` (its strings in
//   field order, each followed by a NUL: crates/payrules-wasm/src/lib.rs, `report_parts`), instead
//   of field by field across the boundary, each string decoded on its own; the same object,
//   key for key (tests/node/package.test.mjs). A report whose strings hold a NUL comes back as ''
//   and is built by the module (`report` of the wasm-bindgen class).
// - `for (const report of validateBatch(bytes))`: every entry's report, written one at a time.
import { BatchResult } from './web/payrules_wasm.js';

const byFields = BatchResult.prototype.report;

/** The object of a `reportParts` text: `{valid, operation, errors: [{path, code, severity, message, suggestion?}]}`. */
function fromParts(text) {
  const p = text.split('\0');
  const errors = [];
  // After `valid` and the operation, five strings a violation; the last element is the '' after the final NUL.
  for (let k = 2; k + 5 < p.length; k += 5) {
    const suggestion = p[k + 4];
    errors.push(suggestion === ''
      ? { path: p[k], code: p[k + 1], severity: p[k + 2], message: p[k + 3] }
      : { path: p[k], code: p[k + 1], severity: p[k + 2], message: p[k + 3], suggestion: suggestion.slice(1) });
  }
  return { valid: p[0] === '1', operation: p[1] === '' ? null : p[1].slice(1), errors };
}

BatchResult.prototype.report = function report(i) {
  const parts = this.reportParts(i);
  return parts === '' ? byFields.call(this, i) : fromParts(parts);
};

BatchResult.prototype[Symbol.iterator] = function* reports() {
  const n = this.length;
  for (let i = 0; i < n; i++) yield this.report(i);
};
