// BatchResult in JavaScript:
// - `report(i)` builds entry i's report object from one string, `reportsParts(entries)` (per report
//   its violation count, then its strings in field order, each followed by a NUL:
//   crates/payrules-wasm/src/lib.rs, `put_report`), instead of field by field across the boundary,
//   each string decoded on its own; the same object, key for key (tests/node/package.test.mjs).
//   A report whose strings hold a NUL comes back as `!` and is built by the module (`report` of the
//   wasm-bindgen class).
// - Invalid entries read in order (as `for (const i of batch.invalidLines) batch.report(i)` does)
//   are written by the module a run at a time: the run after one read in order is twice as long,
//   up to RUN reports, so one crossing and one decoding serve many reports; any other read asks for
//   its one report. A run holds text only: every report(i) builds a fresh object.
// - `for (const report of validateBatch(bytes))`: every entry's report, written one at a time.
import { BatchResult } from './web/payrules_wasm.js';

const byFields = BatchResult.prototype.report;
const free = BatchResult.prototype.free;

/** The longest run of reports asked for at once. */
const RUN = 64;

/** Per batch: its invalid entries, and the run of their reports being read. */
const runs = new WeakMap();

/** Reads the report at `at` of a `reportsParts` text: `[object or null (built by the module), where the next begins]`. */
function fromParts(text, at) {
  // Each string read up to its NUL (indexOf and slice: about twice as fast here as split).
  const next = () => {
    const end = text.indexOf('\0', at);
    const s = text.slice(at, end);
    at = end + 1;
    return s;
  };
  const count = next();
  if (count === '!') return [null, at];
  const valid = next() === '1';
  const operation = next();
  const errors = [];
  // Five strings a violation; an optional one is '' when absent, '=' and its text when present.
  for (let n = Number(count); n > 0; n--) {
    const path = next(), code = next(), severity = next(), message = next(), suggestion = next();
    errors.push(suggestion === ''
      ? { path, code, severity, message }
      : { path, code, severity, message, suggestion: suggestion.slice(1) });
  }
  return [{ valid, operation: operation === '' ? null : operation.slice(1), errors }, at];
}

/** The first place of `i` in the ascending `invalid`, or -1. */
function placeOf(invalid, i) {
  let lo = 0, hi = invalid.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (invalid[mid] < i) lo = mid + 1; else hi = mid;
  }
  return lo < invalid.length && invalid[lo] === i ? lo : -1;
}

BatchResult.prototype.report = function report(i) {
  let run = runs.get(this);
  if (run === undefined) {
    // The run: reports of invalid[first, end) in `text`, the next one to read at `at` (place `place`).
    run = { invalid: this.invalidLines, place: 0, end: 0, text: '', at: 0, size: 1 };
    runs.set(this, run);
  }
  const { invalid } = run;
  if (!(run.place < run.end && invalid[run.place] === i)) {
    const place = placeOf(invalid, i);
    if (place < 0) {
      // A valid entry (or not an entry: the module throws): its report alone.
      const [object] = fromParts(this.reportsParts(Uint32Array.of(i)), 0);
      return object ?? byFields.call(this, i);
    }
    // Read in order (right after the last run): a longer run; else this report alone.
    run.size = place === run.end ? Math.min(run.size * 2, RUN) : 1;
    const entries = invalid.subarray(place, place + run.size);
    run.text = this.reportsParts(entries);
    run.place = place;
    run.end = place + entries.length;
    run.at = 0;
  }
  const [object, at] = fromParts(run.text, run.at);
  run.at = at;
  run.place += 1;
  return object ?? byFields.call(this, i);
};

// A freed batch keeps no run (its reports would outlive it): `free()`, and `using` (Symbol.dispose,
// which the module set to the free above), forget it.
BatchResult.prototype.free = function () {
  runs.delete(this);
  return free.call(this);
};
if (Symbol.dispose) BatchResult.prototype[Symbol.dispose] = BatchResult.prototype.free;

BatchResult.prototype[Symbol.iterator] = function* reports() {
  const n = this.length;
  for (let i = 0; i < n; i++) yield this.report(i);
};
