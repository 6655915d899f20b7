// Benchmark: payrules' validateBatch against ajv 8 (allErrors, ajv-formats) on the same 100,000
// plentymarkets create requests, from UTF-8 bytes to the errors of the invalid items, in one Node
// process: ajv parses and checks each line (its errors exist only for invalid items); payrules
// gets the batch's verdicts, then the report of each invalid line (`invalidLines`, `report(i)`).
// Checks both flag the same items, prints requests/s and the ratio, and the .wasm sizes.
// Run: scripts/build-npm.sh && (cd tests && npm run bench)   — the batch comes from `payrules generate`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { ajvLines } from './ajv-peer.mjs';
import { cli, installedPackage, npmDir } from './lib.mjs';

const N = Number(process.env.BENCH_N ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const bytes = new TextEncoder().encode(cli(['generate', '--kind', 'plentymarkets-create', '--seed', '42', '--count', String(N)]));

/** The errors of each invalid item, by item index (valid items have none to give). */
function runAjv() {
  const invalid = new Map();
  const length = ajvLines(bytes, (i, errors) => invalid.set(i, errors));
  return { length, invalid };
}

const { module: payrules } = await installedPackage();
/** The same for payrules: the verdicts, then the full report (errors and warnings) of each invalid item. */
function runPayrules() {
  const batch = payrules.validateBatch(bytes);
  const out = new Map();
  for (const i of batch.invalidLines) out.set(i, batch.report(i).errors.filter((e) => e.severity === 'error'));
  const length = batch.length;
  batch.free();
  return { length, invalid: out };
}

// Same verdicts, item by item.
const a = runAjv();
const p = runPayrules();
assert.equal(a.length, N);
assert.equal(p.length, N);
assert.deepEqual([...a.invalid.keys()], [...p.invalid.keys()], 'both flag exactly the same items');
for (const errors of p.invalid.values()) assert.ok(errors.length > 0);
const invalid = p.invalid.size;

function time(fn) {
  const runs = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = process.hrtime.bigint();
    fn();
    runs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  runs.sort((x, y) => x - y);
  return runs[Math.floor(runs.length / 2)];
}
const tAjv = time(runAjv);
const tPayrules = time(runPayrules);
// Sizes as scripts/build-npm.sh and BENCHMARKS.md give them: GNU gzip -9 (Node's zlib at level 9
// writes ~5% more for these modules, so it is named when it stands in).
const wasm = (file) => {
  const path = join(npmDir, 'payrules/web', file);
  const raw = readFileSync(path).length;
  try {
    return `${raw} bytes raw, ${execFileSync('gzip', ['-9', '-c', path]).length} bytes gzip -9`;
  } catch {
    return `${raw} bytes raw, ${gzipSync(readFileSync(path), { level: 9 }).length} bytes Node zlib level 9 (no gzip here)`;
  }
};
console.log(`batch: ${N} plentymarkets create requests, ${invalid} invalid, ${bytes.length} bytes; both flag the same items`);
console.log(`ajv 8 (allErrors):      ${tAjv.toFixed(0)} ms  ${(N / tAjv * 1000 / 1e3).toFixed(0)} K requests/s (median of ${ROUNDS})`);
console.log(`payrules validateBatch: ${tPayrules.toFixed(0)} ms  ${(N / tPayrules * 1000 / 1e3).toFixed(0)} K requests/s (+ report(i) of the invalid)`);
console.log(`ratio: payrules is ${(tAjv / tPayrules).toFixed(2)}x ajv`);
console.log(`validation module payrules_wasm_bg.wasm: ${wasm('payrules_wasm_bg.wasm')}`);
console.log(`ledger module ledger/payrules_ledger_bg.wasm: ${wasm('ledger/payrules_ledger_bg.wasm')}`);
