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
  // Each string read up to its NUL (indexOf and slice: about twice as fast here as split).
  let at = 0;
  const next = () => {
    const end = text.indexOf('\0', at);
    const s = text.slice(at, end);
    at = end + 1;
    return s;
  };
  const valid = next() === '1';
  const operation = next();
  const errors = [];
  // Five strings a violation; an optional one is '' when absent, '=' and its text when present.
  while (at < text.length) {
    const path = next(), code = next(), severity = next(), message = next(), suggestion = next();
    errors.push(suggestion === ''
      ? { path, code, severity, message }
      : { path, code, severity, message, suggestion: suggestion.slice(1) });
  }
  return { valid, operation: operation === '' ? null : operation.slice(1), errors };
}

BatchResult.prototype.report = function report(i) {
  const parts = this.reportParts(i);
  return parts === '' ? byFields.call(this, i) : fromParts(parts);
};

BatchResult.prototype[Symbol.iterator] = function* reports() {
  const n = this.length;
  for (let i = 0; i < n; i++) yield this.report(i);
};
