// Benchmark of two (or more) builds of the npm package in one Node process, alternating round by
// round with ajv, so a loaded machine slows them alike: the bench path of bench-ajv.mjs
// (validateBatch, then report(i) of each invalid line) and its two halves, min and median of
// ROUNDS (15) each. Each ROOT is a checkout whose target/npm holds a package built by
// scripts/build-npm.sh (and tests/node/lib.mjs, which installs it):
//   node tests/node/bench-alternate.mjs base=/path/to/other/checkout speed=.
import { resolve } from 'node:path';

import { ajvLines } from './ajv-peer.mjs';

const roots = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')).map(([k, v]) => [k, resolve(v)]));
const pk = {};
let bytes;
for (const [name, root] of Object.entries(roots)) {
  const lib = await import(root + '/tests/node/lib.mjs');
  bytes ??= new TextEncoder().encode(lib.cli(['generate', '--kind', 'plentymarkets-create', '--seed', '42', '--count', '100000']));
  pk[name] = (await lib.installedPackage()).module;
}
function runAjv() {
  let bad = 0;
  ajvLines(bytes, () => bad++);
  return bad;
}
const t = {};
const time = (k, f) => { const s = process.hrtime.bigint(); f(); (t[k] ??= []).push(Number(process.hrtime.bigint() - s) / 1e6); };
const ROUNDS = Number(process.env.ROUNDS ?? 15);
for (let r = 0; r < ROUNDS; r++) {
  time('ajv', runAjv);
  for (const name of Object.keys(pk)) {
    const p = pk[name];
    time(name + ' bench path', () => { const b = p.validateBatch(bytes); for (const i of b.invalidLines) b.report(i).errors.filter((e) => e.severity === 'error'); b.free(); });
    const b = p.validateBatch(bytes); const inv = b.invalidLines;
    time(name + ' validateBatch', () => p.validateBatch(bytes).free());
    time(name + ' report(i) x' + inv.length, () => { for (const i of inv) b.report(i); });
    b.free();
  }
}
for (const [k, v] of Object.entries(t)) { v.sort((a, b) => a - b); console.log(`${k.padEnd(28)} min ${v[0].toFixed(1)} ms, median ${v[v.length >> 1].toFixed(1)} ms`); }
const med = (k) => { const v = t[k]; return v[v.length >> 1]; }, mn = (k) => t[k][0];
for (const name of Object.keys(pk)) console.log(`${name}: ajv / payrules bench path = ${(med('ajv') / med(name + ' bench path')).toFixed(2)}x (medians), ${(mn('ajv') / mn(name + ' bench path')).toFixed(2)}x (minimums)`);
