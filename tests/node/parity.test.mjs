// One verdict everywhere: the native CLI, the package in Node and the package in headless
// Chromium give byte-identical output for every scenario file and a generated batch of 10,000
// requests over all five profiles. Validation is the main entry's module, the scenarios run in
// `payrules/ledger`'s; in Chromium the ledger module is fetched only when its entry is imported.
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { chromium, cli, installedPackage, lines, npmDir, root, scenarios, serve } from './lib.mjs';

const NOW = '2024-01-01T09:00:00Z';

test('CLI, Node and Chromium agree byte for byte', async () => {
  const batch = cli(['generate', '--kind', 'mixed', '--seed', '2026', '--count', '10000']);
  assert.equal(lines(batch).length, 10000);
  const cases = scenarios();

  // Native.
  const native = {
    batch: cli(['validate', '-'], batch),
    scenarios: cases.map(([, input]) => cli(['replay', '--now', NOW, '-'], input)),
  };
  const { module: payrules, ledger: ledgerEntry } = await installedPackage();
  const node = {
    batch: lines(batch).map((l) => payrules.validateJson(l) + '\n').join(''),
    scenarios: cases.map(([, input]) => {
      const ledger = new ledgerEntry.Ledger({ now: NOW });
      return lines(input).map((l) => ledger.handleJson(l) + '\n').join('');
    }),
  };
  // The batch result: each entry's report on demand, the same bytes; invalidLines = the invalid ones.
  const bytes = new TextEncoder().encode(batch);
  const result = payrules.validateBatch(bytes);
  const nativeLines = lines(native.batch);
  assert.equal(result.length, nativeLines.length);
  assert.equal(Array.from({ length: result.length }, (_, i) => result.reportJson(i) + '\n').join(''), native.batch);
  // report(i)'s objects (built by the package's batch.js from one string each) are those texts' objects, key for key.
  assert.equal(Array.from({ length: result.length }, (_, i) => JSON.stringify(result.report(i)) + '\n').join(''), native.batch);
  assert.deepEqual([...result.invalidLines], nativeLines.flatMap((l, i) => (l.startsWith('{"valid":false') ? [i] : [])));
  result.free();
  // The batch path (bytes in, one array out) gives the same reports too.
  const viaBatch = JSON.parse(payrules.validateBatchJson(new TextEncoder().encode(batch)));
  assert.deepEqual(viaBatch.map((r) => JSON.stringify(r) + '\n').join(''), node.batch);

  // Chromium: the same package as a plain ES module in a page.
  const site = join(npmDir, 'parity-site');
  mkdirSync(site, { recursive: true });
  cpSync(join(npmDir, 'payrules'), join(site, 'payrules'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>parity</title>');
  writeFileSync(join(site, 'inputs.json'), JSON.stringify({ batch, scenarios: cases.map(([, input]) => input) }));
  const server = await serve(site);
  const browser = await chromium();
  try {
    const page = await browser.newPage();
    const wasmFetched = [];
    page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasmFetched.push(new URL(r.url()).pathname); });
    await page.goto(`${server.url}/index.html`);
    const browserOut = await page.evaluate(async () => {
      const payrules = await import('/payrules/web.js');
      await payrules.default();
      const { batch } = await (await fetch('/inputs.json')).json();
      const split = (t) => t.split('\n').filter((l) => l.trim() !== '');
      const result = payrules.validateBatch(new TextEncoder().encode(batch));
      return {
        batch: split(batch).map((l) => payrules.validateJson(l) + '\n').join(''),
        viaBatch: Array.from({ length: result.length }, (_, i) => result.reportJson(i) + '\n').join(''),
        viaObjects: Array.from({ length: result.length }, (_, i) => JSON.stringify(result.report(i)) + '\n').join(''),
        invalidLines: [...result.invalidLines],
      };
    });
    assert.deepEqual(wasmFetched, ['/payrules/web/payrules_wasm_bg.wasm'], 'validation alone fetches only its module');
    const browserScenarios = await page.evaluate(async ({ NOW }) => {
      const { Ledger } = await import('/payrules/ledger/web.js'); // loads the ledger's module now
      const { scenarios } = await (await fetch('/inputs.json')).json();
      const split = (t) => t.split('\n').filter((l) => l.trim() !== '');
      return scenarios.map((input) => {
        const ledger = new Ledger({ now: NOW });
        return split(input).map((l) => ledger.handleJson(l) + '\n').join('');
      });
    }, { NOW });
    assert.deepEqual(wasmFetched, ['/payrules/web/payrules_wasm_bg.wasm', '/payrules/web/ledger/payrules_ledger_bg.wasm']);
    browserOut.scenarios = browserScenarios;
    assert.equal(browserOut.viaBatch, native.batch, 'Chromium batch result differs from the CLI');
    assert.equal(browserOut.viaObjects, native.batch, "Chromium batch result's report objects differ from the CLI");
    assert.deepEqual(browserOut.invalidLines, [...payrules.validateBatch(bytes).invalidLines]);

    assert.equal(node.batch, native.batch, 'Node batch differs from the CLI');
    assert.equal(browserOut.batch, native.batch, 'Chromium batch differs from the CLI');
    cases.forEach(([name, , expected], i) => {
      assert.equal(native.scenarios[i], expected, `CLI: ${name}`);
      assert.equal(node.scenarios[i], expected, `Node: ${name}`);
      assert.equal(browserOut.scenarios[i], expected, `Chromium: ${name}`);
    });
  } finally {
    await browser.close();
    server.close();
  }
});
