// The console's file check, in a module Web Worker (crates/payrules-web/src/check.rs starts it when
// a file is checked, and terminates it to cancel). It streams the File, validates a chunk of lines
// at a time with the validation module's batch path (validateBatch: the npm package's module,
// built into check/ by scripts/build-web-check.sh), and posts progress after each chunk; at the end
// it posts the counts (by code and by field: every violation, warnings included), the first
// errors and the report (JSON Lines, one line per request with a violation:
// {"line":N,"report":{…}}, each report byte for byte what `payrules validate` prints) as a Blob. A CSV file's rows become requests of one operation
// in the module (CsvRequests: the operation's inputs, named by the header row). No rule lives here.
import init, { CsvRequests, validateBatch } from './check/payrules_wasm.js';

const CHUNK = 256 * 1024; // bytes validated per step: about a thousand lines of a typical request
const FIRST = 50; // errors kept for the panel
const ready = init();

self.onmessage = async ({ data }) => {
  try {
    await ready;
    await check(data);
  } catch (e) {
    self.postMessage({ type: 'error', message: String(e?.message ?? e) });
  }
};

async function check({ file, kind, profile, operation }) {
  const total = file.size;
  const tally = { lines: 0, valid: 0, invalid: 0, warned: 0, blank: 0, byCode: new Map(), byField: new Map(), first: [] };
  const report = [];
  const csv = kind === 'csv' ? new CsvRequests(profile, operation) : null;
  let mapped = false;
  let done = 0;
  let carry = new Uint8Array(0);
  const reader = file.stream().getReader();
  for (;;) {
    const { value, done: end } = await reader.read();
    if (!end) {
      done += value.length;
      carry = concat(carry, value);
      if (carry.length < CHUNK) continue;
    }
    if (csv) {
      const rows = csv.push(carry);
      carry = new Uint8Array(0);
      if (!mapped && csv.columns.length > 0) {
        mapped = true;
        self.postMessage({ type: 'mapping', columns: csv.columns, pointers: csv.pointers });
      }
      judge(rows, Array.from(csv.rowLines), tally, report);
      if (end) judge(csv.push(new Uint8Array(0)), Array.from(csv.rowLines), tally, report);
      tally.lines = tally.valid + tally.invalid;
    } else {
      // Whole lines only; the rest waits for the next chunk (all of it at the end).
      const cut = end ? carry.length : carry.lastIndexOf(10) + 1;
      if (cut > 0) {
        const lines = entryLines(carry, cut, tally);
        judge(carry.subarray(0, cut), lines, tally, report);
        carry = carry.slice(cut);
      }
    }
    self.postMessage({ type: 'progress', bytes: end ? total : done, total, lines: tally.lines });
    if (end) break;
  }
  csv?.free();
  // Every table as rows of cells (the panel renders text only).
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const counts = [['Lines', tally.lines], ['Valid', tally.valid], ['Invalid', tally.invalid],
    ['Valid with warnings', tally.warned], ['Blank', tally.blank]];
  const first = tally.first.map((p) => [p.line, p.path, p.code, p.message]);
  const blob = new Blob(report, { type: 'application/x-ndjson' });
  self.postMessage({ type: 'done', counts, byCode: sorted(tally.byCode), byField: sorted(tally.byField), first, report: blob });
}

/** The 1-based file line of each non-blank line among the first `cut` bytes (validateBatch's entries). */
function entryLines(bytes, cut, tally) {
  const out = [];
  let start = 0;
  while (start < cut) {
    let end = bytes.indexOf(10, start);
    if (end < 0 || end >= cut) end = cut;
    tally.lines += 1;
    let blank = true;
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      if (b !== 32 && b !== 9 && b !== 13 && b !== 12) { blank = false; break; }
    }
    if (blank) tally.blank += 1; else out.push(tally.lines);
    start = end + 1;
  }
  return out;
}

/** Validates JSON Lines whose entries are on file lines `lines`: counts every violation (warnings
 * included), keeps the first errors and a report line for each request with a violation. */
function judge(bytes, lines, tally, report) {
  if (bytes.length === 0) return;
  const batch = validateBatch(bytes);
  const out = [];
  try {
    if (batch.length !== lines.length) throw new Error(`${batch.length} entries for ${lines.length} lines`);
    const invalid = batch.invalidLines.length;
    tally.invalid += invalid;
    tally.valid += batch.length - invalid;
    // The entries the one-pass check cannot prove clean: their reports say which have violations.
    for (const i of batch.mayHaveViolations()) {
      const text = batch.reportJson(i);
      const { valid, errors } = JSON.parse(text);
      if (errors.length === 0) continue;
      const line = lines[i];
      if (valid) tally.warned += 1;
      out.push(`{"line":${line},"report":${text}}\n`);
      for (const v of errors) {
        tally.byCode.set(v.code, (tally.byCode.get(v.code) ?? 0) + 1);
        tally.byField.set(v.path, (tally.byField.get(v.path) ?? 0) + 1);
        if (v.severity === 'error' && tally.first.length < FIRST) tally.first.push({ line, path: v.path, code: v.code, message: v.message });
      }
    }
  } finally {
    batch.free();
  }
  // One Blob per chunk: the report's bytes leave the worker as it goes, not all at the end.
  if (out.length > 0) report.push(new Blob(out));
}

function concat(a, b) {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
